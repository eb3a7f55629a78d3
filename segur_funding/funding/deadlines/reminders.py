"""Who funding reminds of its deadlines, and when (the reminders sweep gathers them)."""

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.urls import reverse

from segur_funding.notifications.constants import (
    CORRECTION_OPEN_AFTER_DAYS,
    PREORDER_THRESHOLDS,
    WINDOW_THRESHOLDS,
    DeadlineKind,
    NotificationKind,
)
from segur_funding.notifications.deadlines import (
    Audience,
    Deadline,
    PlannedReminder,
    age_reminder_key,
    aged_items,
    reminder_key,
)
from segur_funding.notifications.rules import (
    crossed_threshold,
    fr_date,
)

from .calendar import (
    WINDOW_AUDIENCES,
    WINDOW_STEP_LABELS,
    open_correction_items,
)
from .pending import quote_deadlines

# --- Who is reminded ----------------------------------------------------------------------------


def _preorder_reminders(deadlines: list[Deadline]) -> Iterator[PlannedReminder]:
    for deadline in deadlines:
        threshold = crossed_threshold(days_left=deadline.days_left, thresholds=PREORDER_THRESHOLDS)
        if threshold is None:
            continue
        yield PlannedReminder(
            kind=NotificationKind.REMINDER_PREORDER_DEADLINE,
            audience=Audience.EDITOR,
            organization_id=deadline.editor_id,
            dedup_key=reminder_key(deadline, threshold=threshold, audience=Audience.EDITOR),
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


def _window_reminders(deadlines: list[Deadline]) -> Iterator[PlannedReminder]:
    for deadline in deadlines:
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
                dedup_key=reminder_key(deadline, threshold=threshold, audience=audience),
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
    corrections = open_correction_items()
    for item, threshold in aged_items(corrections, today=today, after_days=CORRECTION_OPEN_AFTER_DAYS):
        context: dict[str, Any] = {
            "request_id": item.request_id,
            "title": f"demande de financement à modifier — devis {item.quote_number}",
            "message": f"{item.subject} : renvoyée « à modifier » par l'ASP le "
            f"{fr_date(item.since)}, elle attend votre correction ({item.reason}).",
        }
        yield PlannedReminder(
            kind=NotificationKind.REMINDER,
            audience=Audience.EDITOR,
            organization_id=item.editor_id,
            dedup_key=age_reminder_key(item, threshold=threshold, audience=Audience.EDITOR),
            context=context,
            link=item.link(Audience.EDITOR),
        )


def reminders_due(*, today: date) -> list[PlannedReminder]:
    # The programme's quote deadlines still visible today, read in SQL (not every open quote).
    deadlines = quote_deadlines(today=today)
    preorders = [d for d in deadlines if d.kind == DeadlineKind.PREORDER]
    windows = [d for d in deadlines if d.kind != DeadlineKind.PREORDER]
    return [
        *_preorder_reminders(preorders),
        *_window_reminders(windows),
        *_correction_reminders(today),
    ]
