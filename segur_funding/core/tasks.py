"""Scheduling tasks after commit without letting a broker outage break the request.

`transaction.on_commit(lambda: task.delay(...))` runs the callback inside the request, after the
commit: if the broker (Redis) is down, `.delay()` raises there and the user gets an error page
for a change that is in fact saved. `enqueue_on_commit` logs that failure instead; the work is
picked up again by the periodic sweeps (which look for rows still waiting for their task) once
the broker is back.

Only broker errors are swallowed: in eager mode (tests, the embedded default) an error raised by
the task itself still propagates, as it must.
"""

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError

    errors: list[type[BaseException]] = [OperationalError, ConnectionError, TimeoutError]
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover - redis is a dependency of celery[redis]
        pass
    else:
        errors += [RedisConnectionError, RedisTimeoutError]
    return tuple(errors)


def enqueue(task: Any, *args: Any, **kwargs: Any) -> bool:
    """`task.delay(*args, **kwargs)`; False (logged) when the broker cannot be reached."""
    try:
        task.delay(*args, **kwargs)
    except _broker_errors():
        logger.warning(
            "Broker indisponible : la tâche %s%r n'a pas été mise en file ; le balayage "
            "périodique la reprendra.",
            getattr(task, "name", task),
            args,
            exc_info=True,
        )
        return False
    return True


def enqueue_on_commit(task: Any, *args: Any, using: str | None = None, **kwargs: Any) -> None:
    """Queue `task` with these arguments once the current transaction commits (at once when
    there is none); a broker outage is logged, never raised to the user."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs), using=using)
