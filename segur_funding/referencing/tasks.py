"""Background work of the referencing domain: thin, an id in, a service out."""

import logging

from celery import shared_task

from segur_funding.core.antivirus import ScannerUnavailable

logger = logging.getLogger(__name__)


@shared_task
def dossier_certificate_render(dossier_id: int) -> None:
    from . import services

    services.dossier_certificate_render(dossier_id=dossier_id)


@shared_task(bind=True, max_retries=10, default_retry_delay=120)
def proof_file_scan(self, proof_file_id: int) -> None:
    from . import services

    try:
        services.proof_file_scan(proof_file_id=proof_file_id)
    except ScannerUnavailable as exc:
        # The file stays "pending" (reviewers cannot download it) until clamd answers.
        if self.request.is_eager:
            logger.warning("Virus scan of proof file %s postponed: %s", proof_file_id, exc)
            return
        raise self.retry(exc=exc) from exc
