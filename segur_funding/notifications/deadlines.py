"""The deadline calendar's plain values, and the sources the domain apps publish them through.

Notifications knows no dossier, quote or funding request: each domain app owns « what is due, by
when, by whom » and « who is reminded of what », in its own `deadlines.py`, and registers it here
from its `AppConfig.ready` (`deadline_source_register`). This module gathers the sources for the
« Mes échéances » page, its iCalendar feed and « Mon espace » (`user_deadlines`); reminders.py
gathers their reminders and sends them.

A source returns only the deadlines whose action is still pending, computed for one `today` (a
Europe/Paris date): once the quote is signed, the signature deadline disappears from the calendar
and no reminder speaks of it any more.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Protocol

from segur_funding.core import clock
from segur_funding.organizations.models import User
from segur_funding.organizations.selectors import is_ans_reviewer, user_client_ids, user_editor_ids

from .constants import OVERDUE_VISIBLE_DAYS, DeadlineKind
from .rules import age_threshold, fr_date, threshold_tag


class Audience(StrEnum):
    ANS = "ans"
    EDITOR = "editor"
    LAB = "lab"


def _no_link(deadline: "Deadline", audience: str) -> str:
    return ""


@dataclass(frozen=True, slots=True)
class Deadline:
    """One thing due: what, by when (`due`, None while it has no date) and by whom (`owner`)."""

    kind: DeadlineKind
    # Stable per object and step ("quote:42:signature"): reminder dedup keys and iCalendar UIDs.
    key: str
    due: date | None
    days_left: int | None
    subject: str  # what it concerns, e.g. "Devis D-2022-0001 — Laboratoire X"
    owner: str  # who must act, in French
    editor_id: int | None = None
    client_id: int | None = None
    dossier_id: int | None = None
    quote_id: int | None = None
    request_id: int | None = None
    correction_id: int | None = None
    dossier_ref: str = ""
    quote_number: str = ""
    client_name: str = ""
    editor_name: str = ""
    solution: str = ""
    window_label: str = ""
    reason: str = ""
    since: date | None = None  # an open correction: asked on that day
    paused: bool = False  # a review clock stopped while the editor answers a correction
    # The page where an audience acts on it, given by the app that published it (called only
    # when a page or a reminder needs the link).
    linker: Callable[["Deadline", str], str] = field(default=_no_link, repr=False, compare=False)

    @property
    def label(self) -> str:
        return str(DeadlineKind(self.kind).label)

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def due_display(self) -> str:
        return fr_date(self.due) if self.due else ""

    def link(self, audience: str) -> str:
        """The page where `audience` acts on it ("" when there is none)."""
        return self.linker(self, audience)


def deadline_sort_key(deadline: Deadline) -> tuple:
    """Calendar order: dateless items (open corrections, paused clocks) first, for they wait on
    someone now; then by date."""
    return (deadline.due is not None, deadline.due or date.min, deadline.key)


def still_visible(days_left: int | None) -> bool:
    """Overdue deadlines stay in the calendar (and the reminders) OVERDUE_VISIBLE_DAYS only."""
    return days_left is None or days_left >= -OVERDUE_VISIBLE_DAYS


def visible_since(today: date) -> date:
    """The earliest due date `still_visible` on `today`: the threshold a source reading only the
    first few deadlines in SQL filters on (`due >= visible_since(today)`)."""
    return today - timedelta(days=OVERDUE_VISIBLE_DAYS)


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    """One reminder for one audience of one deadline; `organization_id` None means the ANS."""

    kind: str
    audience: Audience
    organization_id: int | None
    dedup_key: str
    context: dict[str, Any]
    link: str


def reminder_key(deadline: Deadline, *, threshold: int, audience: str) -> str:
    """The dedup key of a threshold reminder: the object and step, the deadline date (a deadline
    that moves is a new one, worth its own reminders), the threshold and the audience."""
    due = deadline.due.isoformat() if deadline.due else "open"
    return f"reminder:{deadline.key}:{due}:{threshold_tag(threshold)}:{audience}"


def age_reminder_key(item: Deadline, *, threshold: int, audience: str) -> str:
    """The dedup key of a reminder of something open for `threshold` days (a correction): ages
    count up, so the threshold alone tells the reminders apart."""
    return f"reminder:{item.key}:after-{threshold}d:{audience}"


def aged_items(
    items: Iterable[Deadline], *, today: date, after_days: Sequence[int]
) -> Iterator[tuple[Deadline, int]]:
    """(item, threshold) of each dateless open item (a correction, open since `item.since`)
    whose age has reached one of `after_days` on `today`."""
    for item in items:
        if item.since is None:
            continue
        threshold = age_threshold(opened_on=item.since, today=today, after_days=after_days)
        if threshold is not None:
            yield item, threshold


def by_opening(items: list[Deadline]) -> list[Deadline]:
    """Open items, oldest first."""
    return sorted(items, key=lambda d: (d.since or date.min, d.key))


# --- Sources: what each domain app publishes ---------------------------------------------------


class DeadlinesOf(Protocol):
    def __call__(
        self,
        *,
        today: date,
        audience: Audience,
        organization_ids: list[int] | None,
        limit: int | None = None,
    ) -> list[Deadline]:
        """The pending deadlines `audience` acts on: all of the ANS's (`organization_ids` None),
        or those of these editors / labs. With `limit`, at least the first `limit` of them in
        calendar order (`deadline_sort_key`), which is all « Mon espace » shows: a source may then
        read a few rows per kind instead of every open object."""
        ...


class RemindersOf(Protocol):
    def __call__(self, *, today: date) -> Iterable[PlannedReminder]:
        """Every reminder whose threshold is crossed on `today` (already sent ones included)."""
        ...


@dataclass(frozen=True, slots=True)
class DeadlineSource:
    name: str  # the publishing app
    deadlines: DeadlinesOf
    reminders: RemindersOf


_SOURCES: dict[str, DeadlineSource] = {}


def deadline_source_register(name: str, *, deadlines: DeadlinesOf, reminders: RemindersOf) -> None:
    """What a domain app's `AppConfig.ready` calls with its `deadlines.py`'s two functions (the
    app's label as `name`); registering again replaces (reloads)."""
    _SOURCES[name] = DeadlineSource(name=name, deadlines=deadlines, reminders=reminders)


def deadline_sources() -> list[DeadlineSource]:
    return list(_SOURCES.values())


# --- Per person ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeadlineSection:
    audience: Audience
    title: str
    items: list[Deadline]


SECTION_TITLES = {
    Audience.ANS: "Instruction ANS : délais des dossiers de référencement",
    Audience.EDITOR: "Éditeur : vos dossiers, commandes et demandes de financement",
    Audience.LAB: "Laboratoire : signatures et mises en ordre de marche",
}


def _section(
    audience: Audience, *, today: date, organization_ids: list[int] | None, limit: int | None
) -> DeadlineSection:
    items = [
        item
        for source in _SOURCES.values()
        for item in source.deadlines(
            today=today, audience=audience, organization_ids=organization_ids, limit=limit
        )
    ]
    items = sorted(items, key=deadline_sort_key)
    return DeadlineSection(audience, SECTION_TITLES[audience], items if limit is None else items[:limit])


def user_deadlines(
    *, user: User, today: date | None = None, include_ans: bool = True, limit: int | None = None
) -> list[DeadlineSection]:
    """The deadline calendar of one person: a section per side they act on (ANS, editor, lab);
    with `limit`, only the first `limit` deadlines of each section (« Mon espace »)."""
    today = today or clock.today()
    sections: list[DeadlineSection] = []
    if include_ans and is_ans_reviewer(user=user):
        sections.append(_section(Audience.ANS, today=today, organization_ids=None, limit=limit))
    # The memberships the page's header read already (one query per request).
    editor_ids = user_editor_ids(user=user)
    client_ids = user_client_ids(user=user)
    if editor_ids:
        sections.append(_section(Audience.EDITOR, today=today, organization_ids=editor_ids, limit=limit))
    if client_ids:
        sections.append(_section(Audience.LAB, today=today, organization_ids=client_ids, limit=limit))
    return sections
