"""Reminders (run by the beat task `send_due_reminders`): each one reaches each person once per
threshold and per object, whatever the number of beat runs or workers.

A run asks every deadline source (the domain apps' `deadlines.py`, registered in deadlines.py)
for the reminders whose threshold (rules.py) is crossed on today's Europe/Paris date, and
enqueues a notification whose dedup key names the object, the step, the deadline date and the
threshold ("reminder:quote:42:signature:2022-07-15:7d:lab"). The outbox's unique index on that key
(one per recipient) is what makes the reminder happen once: a second run the same day, or two
workers running it at the same time, meet the key and add nothing. The deadline date is part of
the key because a deadline that moves (an ANS clock resumed after a correction) is a new
deadline, worth its own reminders.

Nothing is ever sent for a past threshold: a run that finds the 30- and 7-day thresholds both
crossed (a quote issued 5 days before the deadline, a scheduler down for a week) sends the 7-day
one only.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from segur_funding.core import clock
from segur_funding.organizations.models import Membership, User

from .deadlines import PlannedReminder, deadline_sources
from .models import Notification
from .rules import fr_date
from .selectors import ans_reviewers
from .services import notification_enqueue, row_dedup_key

logger = logging.getLogger(__name__)

KEY_CHUNK = 1000


@dataclass(slots=True)
class ReminderRun:
    today: date
    planned: int = 0
    created: int = 0
    failed: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def reminders_due(*, today: date) -> list[PlannedReminder]:
    """Every reminder whose threshold is crossed on `today` (already sent ones included)."""
    return [plan for source in deadline_sources() for plan in source.reminders(today=today)]


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
