"""Thin tasks: an id in, a service out."""

import logging
from smtplib import SMTPException

from celery import shared_task

from .services import password_reset_email_send

logger = logging.getLogger(__name__)

RESET_EMAIL_MAX_RETRIES = 5


@shared_task(
    name="organizations.password_reset_email_send",
    bind=True,
    # A replay after a lost worker sends a second link: harmless, each one works until the
    # password changes.
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=RESET_EMAIL_MAX_RETRIES,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def send_password_reset_email(self, user_id: int) -> bool:
    try:
        return password_reset_email_send(user_id=user_id)
    except (OSError, SMTPException) as exc:
        if self.request.is_eager:
            # Eager (the embedded default): no broker to retry later, and an exception would
            # reach the reset page, which must answer the same whether an account exists.
            logger.error(
                "Envoi du lien de réinitialisation impossible (utilisateur %s).", user_id, exc_info=True
            )
            return False
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 2)) from exc
