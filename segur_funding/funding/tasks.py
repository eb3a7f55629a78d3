"""Background work on funding requests: thin wrappers, id in, service out.

Services queue them by name after commit (`core.tasks.enqueue_on_commit`); the sweep queues again
the exports whose task was lost. Acknowledged late and idempotent: a replay does nothing twice.
"""

from celery import shared_task

from segur_funding.core import clock
from segur_funding.core.tasks import LOST_AFTER, SWEEP_BATCH, requeue_waiting

from . import selectors, services


@shared_task(name="funding.export_job_run", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def export_job_run_task(job_id: int) -> None:
    services.export_job_run(job_id=job_id)


@shared_task(name="funding.requeue_lost_work", acks_late=True, ignore_result=True)
def requeue_lost_work() -> int:
    """Beat: exports still pending LOST_AFTER after they were asked for get their task again."""
    before = clock.now() - LOST_AFTER
    return requeue_waiting(
        "funding.export_job_run", selectors.export_jobs_waiting(before=before, limit=SWEEP_BATCH)
    )
