"""Reminders (run by the beat task `send_due_reminders`): each one reaches each person once per
threshold and per object, whatever the number of beat runs or workers.

A run reads the pending deadlines (deadlines.py) for today's Europe/Paris date, asks rules.py
which threshold each one has crossed, and enqueues a notification whose dedup key names the
object, the step, the deadline date and the threshold ("reminder:quote:42:signature:2022-07-15:
7d:lab"). The outbox's unique index on that key (one per recipient) is what makes the reminder
happen once: a second run the same day, or two workers running it at the same time, meet the key
and add nothing. The deadline date is part of the key because a deadline that moves (an ANS clock
resumed after a correction) is a new deadline, worth its own reminders.

Nothing is ever sent for a past threshold: a run that finds the 30- and 7-day thresholds both
crossed (a quote issued 5 days before the deadline, a scheduler down for a week) sends the 7-day
one only.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse

from segur_funding.core import clock
from segur_funding.organizations.models import Membership, User
from segur_funding.referencing.constants import ClockPhase
from segur_funding.referential.selectors import active_scheme_refs

from .constants import (
    CORRECTION_OPEN_AFTER_DAYS,
    PREORDER_THRESHOLDS,
    REVIEW_CLOCK_THRESHOLDS,
    WINDOW_THRESHOLDS,
    DeadlineKind,
    NotificationKind,
)
from .deadlines import (
    Audience,
    Deadline,
    open_correction_items,
    open_quotes,
    preorder_deadlines,
    review_clock_deadlines,
    window_deadlines,
)
from .models import Notification
from .rules import age_threshold, crossed_threshold, fr_date, threshold_tag
from .selectors import ans_reviewers
from .services import notification_enqueue, row_dedup_key

logger = logging.getLogger(__name__)

KEY_CHUNK = 1000

# Who is reminded of each window deadline: the side that acts, and the editor, whose funding
# depends on it whoever acts.
WINDOW_AUDIENCES: dict[str, tuple[Audience, ...]] = {
    DeadlineKind.SIGNATURE: (Audience.LAB, Audience.EDITOR),
    DeadlineKind.ADVANCE_REQUEST: (Audience.EDITOR,),
    DeadlineKind.SERVICE_COMPLETION: (Audience.EDITOR, Audience.LAB),
    DeadlineKind.BALANCE_REQUEST: (Audience.EDITOR,),
}

# How the reminder names the step, inside a sentence ("… : signature du devis au plus tard le …").
WINDOW_STEP_LABELS: dict[str, str] = {
    DeadlineKind.SIGNATURE: "signature du devis",
    DeadlineKind.ADVANCE_REQUEST: "demande d'avance (30 %) à déposer auprès de l'ASP",
    DeadlineKind.SERVICE_COMPLETION: "prestation finalisée et mise en ordre de marche déclarée",
    DeadlineKind.BALANCE_REQUEST: "demande de solde (70 %) à déposer auprès de l'ASP",
}

PHASE_WORDS = {ClockPhase.ELIGIBILITY: "éligibilité", ClockPhase.INSTRUCTION: "instruction"}


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    """One reminder for one audience of one deadline; `organization_id` None means the ANS."""

    kind: str
    audience: Audience
    organization_id: int | None
    dedup_key: str
    context: dict[str, Any]
    link: str


@dataclass(slots=True)
class ReminderRun:
    today: date
    planned: int = 0
    created: int = 0
    failed: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def _key(deadline: Deadline, *, threshold: int, audience: Audience) -> str:
    due = deadline.due.isoformat() if deadline.due else "open"
    return f"reminder:{deadline.key}:{due}:{threshold_tag(threshold)}:{audience}"


def _review_clock_reminders(today: date) -> Iterator[PlannedReminder]:
    for deadline in review_clock_deadlines(today=today):
        if deadline.paused or deadline.days_left is None or deadline.due is None:
            continue
        threshold = crossed_threshold(
            days_left=deadline.days_left, thresholds=REVIEW_CLOCK_THRESHOLDS, after_due=True
        )
        if threshold is None:
            continue
        phase = (
            ClockPhase.ELIGIBILITY
            if deadline.kind == DeadlineKind.ELIGIBILITY_CLOCK
            else ClockPhase.INSTRUCTION
        )
        yield PlannedReminder(
            kind=NotificationKind.REMINDER_REVIEW_CLOCK,
            audience=Audience.ANS,
            organization_id=None,
            dedup_key=_key(deadline, threshold=threshold, audience=Audience.ANS),
            context={
                "dossier_id": deadline.dossier_id,
                "dossier_reference": deadline.dossier_ref,
                "phase": PHASE_WORDS[phase],
                "deadline": deadline.due_display,
                "days_left": deadline.days_left,
                "solution": deadline.solution,
                "editor_name": deadline.editor_name,
            },
            link=deadline.link(Audience.ANS),
        )


def _preorder_reminders(today: date, schemes: dict, quotes: list) -> Iterator[PlannedReminder]:
    for deadline in preorder_deadlines(today=today, schemes=schemes, quotes=quotes):
        threshold = crossed_threshold(days_left=deadline.days_left, thresholds=PREORDER_THRESHOLDS)
        if threshold is None:
            continue
        yield PlannedReminder(
            kind=NotificationKind.REMINDER_PREORDER_DEADLINE,
            audience=Audience.EDITOR,
            organization_id=deadline.editor_id,
            dedup_key=_key(deadline, threshold=threshold, audience=Audience.EDITOR),
            context={
                "quote_id": deadline.quote_id,
                "quote_number": deadline.quote_number,
                "client_name": deadline.client_name,
                "dossier_reference": deadline.dossier_ref,
                "deadline": deadline.due_display,
                "days_left": deadline.days_left,
            },
            # The editor acts on the dossier (sending the complete proofs), not on the quote.
            link=reverse("referencing:dossier_detail", args=[deadline.dossier_id]),
        )


def _window_reminders(today: date, schemes: dict, quotes: list) -> Iterator[PlannedReminder]:
    for deadline in window_deadlines(today=today, schemes=schemes, quotes=quotes):
        threshold = crossed_threshold(days_left=deadline.days_left, thresholds=WINDOW_THRESHOLDS)
        if threshold is None:
            continue
        for audience in WINDOW_AUDIENCES[deadline.kind]:
            yield PlannedReminder(
                kind=NotificationKind.REMINDER_WINDOW_DEADLINE,
                audience=audience,
                organization_id=(
                    deadline.client_id if audience == Audience.LAB else deadline.editor_id
                ),
                dedup_key=_key(deadline, threshold=threshold, audience=audience),
                context={
                    "quote_id": deadline.quote_id,
                    "step": str(deadline.kind),
                    "deadline_label": WINDOW_STEP_LABELS[deadline.kind],
                    "deadline": deadline.due_display,
                    "object_label": deadline.subject,
                    "days_left": deadline.days_left,
                    "window_label": deadline.window_label,
                },
                link=deadline.link(audience),
            )


def _correction_reminders(today: date) -> Iterator[PlannedReminder]:
    for item in open_correction_items():
        if item.since is None:
            continue
        threshold = age_threshold(
            opened_on=item.since, today=today, after_days=CORRECTION_OPEN_AFTER_DAYS
        )
        if threshold is None:
            continue
        days_open = (today - item.since).days
        if item.request_id is None:
            kind = NotificationKind.REMINDER_CORRECTION_OPEN
            context: dict[str, Any] = {
                "dossier_id": item.dossier_id,
                "dossier_reference": item.dossier_ref,
                "opened_on": fr_date(item.since),
                "reason": item.reason,
                "days_open": days_open,
            }
        else:
            kind = NotificationKind.REMINDER
            context = {
                "request_id": item.request_id,
                "title": f"demande de financement à modifier — devis {item.quote_number}",
                "message": f"{item.subject} : renvoyée « à modifier » par l'ASP le "
                f"{fr_date(item.since)}, elle attend votre correction ({item.reason}).",
            }
        yield PlannedReminder(
            kind=kind,
            audience=Audience.EDITOR,
            organization_id=item.editor_id,
            # Ages count up: the threshold alone tells the reminders apart.
            dedup_key=f"reminder:{item.key}:after-{threshold}d:{Audience.EDITOR}",
            context=context,
            link=item.link(Audience.EDITOR),
        )


def reminders_due(*, today: date) -> list[PlannedReminder]:
    """Every reminder whose threshold is crossed on `today` (already sent ones included)."""
    schemes = active_scheme_refs()
    quotes = open_quotes()
    return [
        *_review_clock_reminders(today),
        *_preorder_reminders(today, schemes, quotes),
        *_window_reminders(today, schemes, quotes),
        *_correction_reminders(today),
    ]


def _recipients(plans: Sequence[PlannedReminder]) -> dict[int | None, list[User]]:
    """Active members of every organisation concerned (one query), and the ANS reviewers."""
    org_ids = {p.organization_id for p in plans if p.organization_id is not None}
    members: dict[int | None, list[User]] = defaultdict(list)
    for membership in Membership.objects.filter(
        organization_id__in=org_ids, user__is_active=True
    ).select_related("user"):
        if membership.user not in members[membership.organization_id]:
            members[membership.organization_id].append(membership.user)
    if any(p.organization_id is None for p in plans):
        members[None] = list(ans_reviewers())
    return members


def _existing_keys(keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    found: set[str] = set()
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = keys[start : start + KEY_CHUNK]
        found.update(
            Notification.objects.filter(dedup_key__in=chunk).values_list("dedup_key", flat=True)
        )
    return found


def reminders_send_due(*, today: date | None = None) -> ReminderRun:
    """Enqueue the reminders due today that nobody has received yet; safe to run any number of
    times, from any number of processes.

    Each reminder is enqueued in its own short transaction, so that one object in a strange
    state (logged) does not hold back the others, and a run stopped by its time limit keeps what
    it did: the next run carries on where it stopped.
    """
    today = today or clock.today()
    run = ReminderRun(today=today)
    plans = reminders_due(today=today)
    run.planned = len(plans)
    if not plans:
        return run
    members = _recipients(plans)
    # The steady state of an hourly beat: nearly every reminder due today was sent by an earlier
    # run. Read all their keys at once so that only the new ones reach the outbox.
    wanted = {
        row_dedup_key(p.dedup_key, user.pk): p
        for p in plans
        for user in members.get(p.organization_id, [])
    }
    sent = _existing_keys(wanted)
    todo = {id(p): p for key, p in wanted.items() if key not in sent}
    for plan in todo.values():
        recipients = members.get(plan.organization_id, [])
        try:
            with transaction.atomic():
                rows = notification_enqueue(
                    kind=plan.kind,
                    recipients=recipients,
                    context=plan.context,
                    link=plan.link,
                    dedup_key=plan.dedup_key,
                )
        except Exception:
            run.failed += 1
            logger.exception("Rappel %s : mise en file impossible.", plan.dedup_key)
            continue
        run.created += len(rows)
        run.by_kind[plan.kind] = run.by_kind.get(plan.kind, 0) + len(rows)
    if run.created or run.failed:
        logger.info(
            "Rappels du %s : %s notification(s) créée(s), %s échec(s) (%s rappel(s) dus).",
            fr_date(today), run.created, run.failed, run.planned,
        )
    return run
