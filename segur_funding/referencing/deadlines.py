"""The deadlines referencing publishes (notifications.deadlines gathers them, registered in
apps.py): the ANS review clocks and the corrections the editor has to answer, and who is reminded
of them.

- the running eligibility and instruction clocks (referencing's own rules, pauses included): on
  the ANS's calendar, and on the editor's for its dossiers; the ANS reviewers are reminded two
  days before the end, then once overdue;
- the open ANS corrections, dateless (the clock is paused meanwhile): on the editor's calendar,
  and its members reminded when the correction has been open 7 then 14 days.
"""

from collections.abc import Iterable, Iterator
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from segur_funding.core import clock
from segur_funding.notifications.constants import (
    CORRECTION_OPEN_AFTER_DAYS,
    REVIEW_CLOCK_THRESHOLDS,
    DeadlineKind,
    NotificationKind,
)
from segur_funding.notifications.deadlines import (
    Audience,
    Deadline,
    PlannedReminder,
    age_reminder_key,
    aged_items,
    by_opening,
    deadline_sort_key,
    reminder_key,
)
from segur_funding.notifications.rules import (
    crossed_threshold,
    dossier_reference,
    fr_date,
)

from . import rules, selectors
from .constants import ClockPhase, DossierStatus
from .models import CorrectionRequest, Dossier

PHASE_WORDS = {ClockPhase.ELIGIBILITY: "éligibilité", ClockPhase.INSTRUCTION: "instruction"}


def dossier_link(deadline: Deadline, audience: str) -> str:
    """The ANS instructs dossiers in the admin; the editor acts on the dossier page."""
    if deadline.dossier_id is None:
        return ""
    if audience == Audience.ANS:
        return reverse("admin:referencing_dossier_change", args=[deadline.dossier_id])
    return reverse("referencing:dossier_detail", args=[deadline.dossier_id])


def dossier_ref(dossier: Dossier) -> str:
    return dossier_reference(dossier_id=dossier.pk, dsr_code=dossier.dsr.code)


def review_clock_deadlines(
    *, today: date | None = None, editor_ids: Iterable[int] | None = None
) -> list[Deadline]:
    """The running eligibility and instruction clocks (referencing's own rules, pauses included).

    A clock paused by an open correction has no date (it moves every day until the editor
    answers); it is returned with `paused` so that the page can say so.
    """
    today = today or clock.today()
    dossiers = (
        Dossier.objects.filter(
            status__in=rules.ELIGIBILITY_CLOCK_STATUSES | rules.INSTRUCTION_CLOCK_STATUSES
        )
        .select_related("dsr", "editor", "solution_version__solution")
        .prefetch_related("corrections")
        .order_by("pk")
    )
    if editor_ids is not None:
        dossiers = dossiers.filter(editor_id__in=list(editor_ids))
    items = []
    for dossier in dossiers:
        running = selectors.dossier_clock(dossier=dossier, today=today)
        if running is None:
            continue
        eligibility = running.phase == ClockPhase.ELIGIBILITY
        items.append(
            Deadline(
                kind=DeadlineKind.ELIGIBILITY_CLOCK if eligibility else DeadlineKind.INSTRUCTION_CLOCK,
                key=f"dossier:{dossier.pk}:{running.phase}",
                due=None if running.paused else today + timedelta(days=running.days_left),
                days_left=None if running.paused else running.days_left,
                subject=f"Dossier {dossier_ref(dossier)} — {dossier.solution_version}",
                owner="ANS (instruction)",
                editor_id=dossier.editor_id,
                dossier_id=dossier.pk,
                dossier_ref=dossier_ref(dossier),
                editor_name=dossier.editor.name,
                solution=str(dossier.solution_version),
                paused=running.paused,
                linker=dossier_link,
            )
        )
    return sorted(items, key=deadline_sort_key)


def open_correction_items(*, editor_ids: Iterable[int] | None = None) -> list[Deadline]:
    """ANS corrections the editor has to answer: no date (the ANS clock is paused meanwhile),
    only the day they were asked."""
    corrections = CorrectionRequest.objects.filter(
        resolved_at__isnull=True, dossier__status=DossierStatus.CORRECTION_REQUESTED
    ).select_related("dossier__dsr", "dossier__editor", "dossier__solution_version__solution")
    if editor_ids is not None:
        corrections = corrections.filter(dossier__editor_id__in=list(editor_ids))
    items = []
    for correction in corrections:
        dossier = correction.dossier
        items.append(
            Deadline(
                kind=DeadlineKind.CORRECTION_OPEN,
                key=f"correction:{correction.pk}",
                due=None,
                days_left=None,
                subject=f"Dossier {dossier_ref(dossier)} — {dossier.solution_version}",
                owner=f"{dossier.editor.name} (éditeur)",
                editor_id=dossier.editor_id,
                dossier_id=dossier.pk,
                correction_id=correction.pk,
                dossier_ref=dossier_ref(dossier),
                editor_name=dossier.editor.name,
                solution=str(dossier.solution_version),
                reason=f"{correction.get_reason_display()} : {correction.message}",
                since=timezone.localdate(correction.opened_at),
                linker=dossier_link,
            )
        )
    return by_opening(items)


def deadlines_for(
    *, today: date, audience: Audience, organization_ids: list[int] | None, limit: int | None = None
) -> list[Deadline]:
    # `limit` is not needed here: an editor has a few dossiers under review, read whole.
    if audience == Audience.ANS:
        return review_clock_deadlines(today=today)
    if audience == Audience.EDITOR:
        return open_correction_items(editor_ids=organization_ids) + review_clock_deadlines(
            today=today, editor_ids=organization_ids
        )
    return []


# --- Who is reminded ----------------------------------------------------------------------------


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
            dedup_key=reminder_key(deadline, threshold=threshold, audience=Audience.ANS),
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


def _correction_reminders(today: date) -> Iterator[PlannedReminder]:
    corrections = open_correction_items()
    for item, threshold in aged_items(corrections, today=today, after_days=CORRECTION_OPEN_AFTER_DAYS):
        yield PlannedReminder(
            kind=NotificationKind.REMINDER_CORRECTION_OPEN,
            audience=Audience.EDITOR,
            organization_id=item.editor_id,
            dedup_key=age_reminder_key(item, threshold=threshold, audience=Audience.EDITOR),
            context={
                "dossier_id": item.dossier_id,
                "dossier_reference": item.dossier_ref,
                "opened_on": fr_date(item.since),
                "reason": item.reason,
                "days_open": (today - item.since).days,
            },
            link=item.link(Audience.EDITOR),
        )


def reminders_due(*, today: date) -> list[PlannedReminder]:
    return [*_review_clock_reminders(today), *_correction_reminders(today)]

