"""Background exports of funding requests (CSV, XLSX)."""

from collections.abc import Sequence

from django.db import transaction

from segur_funding.core import clock
from segur_funding.core.errors import InvalidInput
from segur_funding.core.tasks import enqueue_on_commit
from segur_funding.organizations.models import User

from .. import notify
from ..models import ExportJob
from ._base import _require_asp


@transaction.atomic
def export_job_create(*, user: User, request_ids: Sequence[int], file_format: str) -> ExportJob:
    """A background export of many requests; the file appears in the admin when ready."""
    _require_asp(user)
    if file_format not in ("csv", "xlsx"):
        raise InvalidInput("Format d'export inconnu (CSV ou XLSX).")
    job = ExportJob.objects.create(requested_by=user, file_format=file_format, request_ids=list(request_ids))
    enqueue_on_commit("funding.export_job_run", job.pk)
    return job


def export_job_run(*, job_id: int) -> None:
    """Write the job's file and mark it done (or failed, with the error), then tell the user.

    The file goes from a temporary file to the storage by chunks: a national export never sits in
    memory.
    """
    from django.core.files import File

    from ..models import ExportStatus
    from ..resources import export_file

    job = ExportJob.objects.get(pk=job_id)
    if job.status != ExportStatus.PENDING:
        return
    stamp = clock.local_now().strftime("%Y%m%d-%H%M%S")
    name = f"demandes-financement-{stamp}-{job.pk}.{job.file_format}"
    try:
        with export_file(request_ids=job.request_ids, file_format=job.file_format) as (handle, rows):
            job.file.save(name, File(handle, name=name), save=False)
    except Exception as exc:
        with transaction.atomic():
            if ExportJob.objects.filter(pk=job.pk, status=ExportStatus.PENDING).update(
                status=ExportStatus.FAILED, error=str(exc)[:500], finished_at=clock.now()
            ):
                job.refresh_from_db()
                notify.export_ready_notify(job=job)
        raise
    with transaction.atomic():
        # Compare-and-set: a redelivered task that lost the race removes its own file.
        if not ExportJob.objects.filter(pk=job.pk, status=ExportStatus.PENDING).update(
            status=ExportStatus.DONE, file=job.file.name, rows=rows, finished_at=clock.now()
        ):
            job.file.storage.delete(job.file.name)
            return
        job.refresh_from_db()
        notify.export_ready_notify(job=job)
