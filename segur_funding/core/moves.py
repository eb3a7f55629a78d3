"""Writing a workflow move, the same way for every lifecycle (dossiers, quotes, funding requests).

The service reads the row (under `select_for_update` when money or a unique step is at stake), asks
its app's `Workflow` for the target status (`core.workflow`), then calls `move`: an UPDATE that only
touches the row if its status is still the one read. A concurrent move in between makes it touch
no row, and the caller gets a French « rechargez la page » instead of a silent overwrite. The
history row is the caller's (each app has its own event model), written after `move` succeeds.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from django.db import models

from . import clock
from .errors import DomainError

CONFLICT_MESSAGE = "Ce dossier vient d'être modifié par quelqu'un d'autre : rechargez la page."


def move(
    instance: models.Model,
    *,
    frm: str,
    to: str,
    conflict: str = CONFLICT_MESSAGE,
    conflict_code: str = "CONFLICT",
    **fields: Any,
) -> None:
    """Compare-and-set `instance.status` from `frm` to `to`, with `fields` in the same UPDATE.

    `updated_at` is set too when the model has one (an UPDATE bypasses `auto_now`). On success
    the instance carries the new values; when the row no longer has status `frm`, DomainError
    (`conflict_code`, `conflict`) and nothing is written. `moves` with one row.
    """
    moves([instance], frm=frm, to=to, conflict=conflict, conflict_code=conflict_code, **fields)


def moves(
    instances: Sequence[models.Model],
    *,
    frm: str,
    to: str,
    conflict: str = CONFLICT_MESSAGE,
    conflict_code: str = "CONFLICT",
    **fields: Any,
) -> None:
    """`move` for many rows of one model at once (a batch): one UPDATE of every row still in
    `frm`; when any of them is not (the count differs), DomainError and the caller's transaction
    must be rolled back (the rows that matched were updated in it)."""
    if not instances:
        return
    model = type(instances[0])
    values = dict(fields)
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        values.setdefault("updated_at", clock.now())
    pks = [instance.pk for instance in instances]
    updated = model._default_manager.filter(pk__in=pks, status=frm).update(status=to, **values)
    if updated != len(set(pks)):
        raise DomainError(conflict, code=conflict_code)
    for instance in instances:
        instance.status = to
        for name, value in values.items():
            setattr(instance, name, value)


def next_step_refresh(model: type[models.Model], pk: int, *, decide: Callable[[Any], str]) -> str:
    """After a move of one lifecycle, store what another row now waits for: row `pk` of `model`
    is locked, `decide(row)` (a pure rule fed with what the move changed) gives its `next_step`,
    written when it differs. A funding request's move and its quote: the lock serialises it with
    the quote's own moves (which read `next_step` under the same lock), so neither overwrites the
    other's answer.
    """
    row = model._default_manager.select_for_update(of=("self",)).get(pk=pk)
    value = decide(row)
    if row.next_step != value:
        model._default_manager.filter(pk=pk).update(next_step=value)
    return value


def next_steps_refresh(
    model: type[models.Model],
    pks: Iterable[int],
    *,
    decide: Callable[[Any], str],
    only: tuple[str, ...] = (),
) -> dict[int, str]:
    """`next_step_refresh` for many rows at once (a batch of moves): the rows are locked in one
    `SELECT … FOR UPDATE` ordered by primary key (two batches never wait on each other in a
    cycle), `decide(row)` gives each its `next_step`, and the rows that change are written with
    one UPDATE per distinct value; `only`: the fields `decide` reads (wide rows stay unread).
    Returns every row's value."""
    rows = model._default_manager.select_for_update(of=("self",)).filter(pk__in=list(pks)).order_by("pk")
    if only:
        rows = rows.only("next_step", *only)
    values: dict[int, str] = {}
    changed: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        values[row.pk] = value = decide(row)
        if row.next_step != value:
            changed[value].append(row.pk)
    for value, changed_pks in changed.items():
        model._default_manager.filter(pk__in=changed_pks).update(next_step=value)
    return values


def history_user(user: Any) -> Any:
    """The user a history row names: None for the system and anonymous callers."""
    return user if user is not None and user.is_authenticated else None


def today_or(today: date | None) -> date:
    """`today` when a caller (test, simulation) gives it, else the application's clock."""
    return today or clock.today()
