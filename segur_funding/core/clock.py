"""The one clock of the application, so that deadlines and reminders are tested by moving time.

Code that decides with the current time calls `clock.now()` or `clock.today()` (through the module,
`from segur_funding.core import clock`, so that a test's `travel_to` reaches it) instead of
`timezone.now()`. Dates are Europe/Paris dates (settings.TIME_ZONE): a deadline "le 15 juillet"
ends at midnight in Paris, not in UTC.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from django.utils import timezone

_frozen_at: ContextVar[datetime | None] = ContextVar("segur_clock_frozen_at", default=None)


def now() -> datetime:
    """The current instant, aware (UTC), or the instant a test travelled to."""
    frozen = _frozen_at.get()
    return frozen if frozen is not None else timezone.now()


def today() -> date:
    """Today's date in Europe/Paris."""
    return timezone.localdate(now())


def local_now() -> datetime:
    """The current instant in Europe/Paris (file names, "generated on" lines)."""
    return timezone.localtime(now())


@contextmanager
def travel_to(moment: datetime) -> Iterator[datetime]:
    """Freeze `now()` at `moment` (aware) for the block: tests and simulations only.

    Only this process sees the frozen time; a real Celery worker process keeps the real clock.
    """
    if timezone.is_naive(moment):
        raise ValueError("travel_to attend une date-heure avec fuseau horaire.")
    token = _frozen_at.set(moment)
    try:
        yield moment
    finally:
        _frozen_at.reset(token)
