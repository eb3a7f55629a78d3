"""Writing a workflow move, the same way for every lifecycle (dossiers, quotes, funding requests).

The service reads the row (under `select_for_update` when money or a unique step is at stake), asks
its app's `Workflow` for the target status (`core.workflow`), then calls `move`: an UPDATE that only
touches the row if its status is still the one read. A concurrent move in between makes it touch
no row, and the caller gets a French « rechargez la page » instead of a silent overwrite. The
history row is the caller's (each app has its own event model), written after `move` succeeds.
"""

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
    (`conflict_code`, `conflict`) and nothing is written.
    """
    model = type(instance)
    values = dict(fields)
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        values.setdefault("updated_at", clock.now())
    updated = model._default_manager.filter(pk=instance.pk, status=frm).update(status=to, **values)
    if updated == 0:
        raise DomainError(conflict, code=conflict_code)
    instance.status = to
    for name, value in values.items():
        setattr(instance, name, value)


def history_user(user: Any) -> Any:
    """The user a history row names: None for the system and anonymous callers."""
    return user if user is not None and user.is_authenticated else None


def today_or(today: date | None) -> date:
    """`today` when a caller (test, simulation) gives it, else the application's clock."""
    return today or clock.today()
