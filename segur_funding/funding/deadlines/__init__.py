"""The deadlines funding publishes (notifications.deadlines gathers them, registered in apps.py):
the 120-day rule of orders placed before referencing, the funding-window steps of each quote,
the requests sent back « à modifier », and who is reminded of them.

The rules themselves are the AF's (`referential.rules`: `preorder_deadline`,
`window_for_signature`, the window's dates); this module only reads which step is still pending.

Parts: `pending` (which step of a quote is pending, by when: in SQL, all of them or the first
few), `calendar` (the requests « à modifier », how a deadline reads), `reminders` (who is
reminded, and when).
"""

from datetime import date

from segur_funding.notifications.deadlines import (
    Audience,
    Deadline,
    deadline_sort_key,
)

from .calendar import LAB_KINDS, open_correction_items
from .pending import quote_deadlines
from .reminders import reminders_due

# What apps.py registers with notifications.
__all__ = ["deadlines_for", "reminders_due"]


def deadlines_for(
    *, today: date, audience: Audience, organization_ids: list[int] | None, limit: int | None = None
) -> list[Deadline]:
    """An editor's: its requests « à modifier », its orders and window steps; a lab's: its
    signatures and deliveries. With `limit`, at least the first `limit` in calendar order."""
    if audience == Audience.EDITOR and organization_ids:
        items = open_correction_items(editor_ids=organization_ids, limit=limit) + quote_deadlines(
            today=today, editor_ids=organization_ids, limit=limit
        )
        return sorted(items, key=deadline_sort_key)
    if audience == Audience.LAB and organization_ids:
        return quote_deadlines(today=today, client_ids=organization_ids, kinds=LAB_KINDS, limit=limit)
    return []
