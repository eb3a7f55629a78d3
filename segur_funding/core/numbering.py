"""Business numbers (quote numbers…) allocated without races.

"Count the rows, add one, insert" gives two concurrent requests the same number on PostgreSQL
(10 simultaneous quote creations got 3 « numéro déjà utilisé » refusals). A series is one counter
row instead: created if missing (INSERT … ON CONFLICT DO NOTHING, so two first allocations do not
collide either), then locked with SELECT … FOR UPDATE and bumped. The lock is held until the
caller's transaction ends: the next caller in the same series waits for the number to be used (or
rolled back with it, so no number is lost to a refused creation). Other series do not wait.
"""

from collections.abc import Callable

from django.db import transaction

from .models import NumberCounter


def number_next(*, scope: str, year: int, floor: Callable[[], int] = lambda: 0) -> int:
    """The next number of the series (`scope`, `year`), starting after `floor()` for a new series
    (numbers handed out before the counter existed). Call inside the transaction that uses it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_next must run inside the transaction that uses the number")
    counter = NumberCounter.objects.select_for_update().filter(scope=scope, year=year).first()
    if counter is None:
        NumberCounter.objects.bulk_create(
            [NumberCounter(scope=scope, year=year, last=floor())], ignore_conflicts=True
        )
        counter = NumberCounter.objects.select_for_update().get(scope=scope, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last
