"""The deadlines funding publishes (notifications.deadlines gathers them, registered in apps.py):
the 120-day rule of orders placed before referencing, the funding-window steps of each quote,
the requests sent back « à modifier », and who is reminded of them.

The rules themselves are the AF's (`referential.rules`: `preorder_deadline`,
`window_for_signature`, the window's dates); this module only reads which step is still pending.

Parts: `calendar` (every deadline, in full), `first` (the first few, in SQL, for « Mon espace »),
`reminders` (who is reminded, and when).
"""

from datetime import date

from segur_funding.notifications.deadlines import (
    Audience,
    Deadline,
)
from segur_funding.referential.selectors import active_scheme_refs

from .calendar import (
    LAB_KINDS,
    open_correction_items,
    open_quotes,
    preorder_deadlines,
    window_deadlines,
)
from .first import first_deadlines
from .reminders import reminders_due

# What apps.py registers with notifications.
__all__ = ["deadlines_for", "reminders_due"]


def deadlines_for(
    *, today: date, audience: Audience, organization_ids: list[int] | None, limit: int | None = None
) -> list[Deadline]:
    if limit is not None and audience == Audience.EDITOR and organization_ids:
        return open_correction_items(editor_ids=organization_ids, limit=limit) + first_deadlines(
            today=today, editor_ids=organization_ids, limit=limit
        )
    if limit is not None and audience == Audience.LAB and organization_ids:
        return first_deadlines(today=today, client_ids=organization_ids, kinds=LAB_KINDS, limit=limit)
    if audience == Audience.EDITOR and organization_ids:
        schemes = active_scheme_refs()
        quotes = open_quotes(editor_ids=organization_ids)
        return (
            open_correction_items(editor_ids=organization_ids)
            + preorder_deadlines(today=today, schemes=schemes, quotes=quotes)
            + window_deadlines(today=today, schemes=schemes, quotes=quotes)
        )
    if audience == Audience.LAB and organization_ids:
        return [
            d
            for d in window_deadlines(today=today, client_ids=organization_ids)
            if d.kind in LAB_KINDS and d.client_id in organization_ids
        ]
    return []
