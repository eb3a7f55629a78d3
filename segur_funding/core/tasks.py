"""The one way to queue background work: by task name, after commit, never failing the request.

Services call `enqueue_on_commit("quotes.quote_pdf_render", quote.pk)`: the task is named, not
imported, so a service never imports its app's `tasks.py` (tasks import services, never the other
way round) and the import graph has no services ↔ tasks cycle.

`transaction.on_commit(lambda: task.delay(...))` would run `.delay()` inside the request, after the
commit: if the broker (Redis) is down it raises there and the user gets an error page for a change
that is in fact saved. `enqueue` logs that failure instead and the row stays waiting; every row
that waits for a task is found again by its app's periodic sweep (`requeue_waiting`, scheduled by
beat, see settings.CELERY_BEAT_SCHEDULE) once it has waited longer than LOST_AFTER.

Only broker errors are swallowed: in eager mode (tests, the embedded default) an error raised by
the task itself still propagates, as it must. Every task is acknowledged late and idempotent, so
a task queued twice (by the sweep and by a slow broker) does its work once.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

# A row still waiting for its task after this long lost it (broker down at commit, message lost,
# retries exhausted): the sweep queues it again. Longer than any normal queue wait; a task queued
# twice anyway does its work once.
LOST_AFTER = timedelta(minutes=10)
# Rows queued again per kind and per sweep run: a long outage is caught up over a few runs.
SWEEP_BATCH = 500


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


def task_by_name(name: str) -> Any:
    """The registered Celery task called `name` ("quotes.quote_pdf_render").

    Task modules are imported on first use (Django's autodiscovery of each app's `tasks.py`), so a
    web process that never imported them still finds them; an unknown name is a programming error
    and raises at the caller's line.
    """
    from segur_funding.celery import app

    if name not in app.tasks:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")
    try:
        return app.tasks[name]
    except KeyError:
        raise LookupError(f"Aucune tâche ne s'appelle « {name} ».") from None


def enqueue(task_name: str, *args: Any) -> bool:
    """Queue the task now; False (logged) when the broker cannot be reached."""
    task = task_by_name(task_name)
    try:
        task.delay(*args)
    except _broker_errors():
        logger.warning(
            "Broker indisponible : la tâche %s%r n'a pas été mise en file ; le balayage "
            "périodique la reprendra.",
            task_name,
            args,
            exc_info=True,
        )
        return False
    return True


def enqueue_on_commit(task_name: str, *args: Any, using: str | None = None) -> None:
    """Queue the task with these arguments (ids) once the current transaction commits (at once
    when there is none); a broker outage is logged, never raised to the user."""
    task_by_name(task_name)  # an unknown name fails here, in the caller's transaction
    transaction.on_commit(partial(enqueue, task_name, *args), using=using)


def requeue_waiting(task_name: str, ids: Iterable[int]) -> int:
    """Queue the task again for each row that lost it (the sweeps); returns how many were queued.

    `ids` are rows that have waited longer than LOST_AFTER (each app's selector says which).
    """
    queued = sum(enqueue(task_name, pk) for pk in ids)
    if queued:
        logger.info("Balayage : %s tâche(s) %s remise(s) en file.", queued, task_name)
    return queued
