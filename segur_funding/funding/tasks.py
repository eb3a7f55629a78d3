"""Background work on funding requests: thin wrappers, id in, service out (scheduled on commit)."""

from celery import shared_task


@shared_task(acks_late=True)
def export_job_run_task(job_id: int) -> None:
    from .services import export_job_run

    export_job_run(job_id=job_id)
