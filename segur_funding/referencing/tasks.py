"""Background work of the referencing domain: thin, an id in, a service out.

Services queue them by name after commit (`core.tasks.enqueue_on_commit`); the sweep queues again
the files and certificates whose task was lost. Acknowledged late and idempotent: a replay does
nothing twice (a scanned file is not scanned again, a rendered certificate not rendered again).
"""

import logging

from celery import shared_task

from segur_funding.core import antivirus, clock
from segur_funding.core.tasks import LOST_AFTER, SWEEP_BATCH, requeue_waiting

from . import selectors, services

logger = logging.getLogger(__name__)


@shared_task(
    name="referencing.dossier_certificate_render",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def dossier_certificate_render(dossier_id: int) -> None:
    services.dossier_certificate_render(dossier_id=dossier_id)


@shared_task(
    name="referencing.proof_file_scan",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    # A short chain for a clamd restart; a longer outage is the sweep's (every few minutes).
    max_retries=3,
    default_retry_delay=60,
)
def proof_file_scan(self, proof_file_id: int) -> None:
    try:
        services.proof_file_scan(proof_file_id=proof_file_id)
    except antivirus.ScannerUnavailable as exc:
        # The file stays "pending" (reviewers cannot download it) until clamd answers; after the
        # last retry the sweep queues it again.
        if self.request.is_eager:
            logger.warning("Virus scan of proof file %s postponed: %s", proof_file_id, exc)
            return
        raise self.retry(exc=exc) from exc


@shared_task(name="referencing.requeue_lost_work", acks_late=True, ignore_result=True)
def requeue_lost_work() -> int:
    """Beat: files still unscanned and certificates still unrendered LOST_AFTER later get their
    task again (scans only while a scanner is configured: without one nothing can scan them)."""
    before = clock.now() - LOST_AFTER
    queued = requeue_waiting(
        "referencing.dossier_certificate_render",
        selectors.dossiers_waiting_for_certificate(before=before, limit=SWEEP_BATCH),
    )
    if antivirus.scanner_configured():
        queued += requeue_waiting(
            "referencing.proof_file_scan",
            selectors.proof_files_waiting_for_scan(before=before, limit=SWEEP_BATCH),
        )
    return queued
