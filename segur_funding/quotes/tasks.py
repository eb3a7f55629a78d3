"""Background work on quotes: thin wrappers, id in, service out.

Services queue them by name after commit (`core.tasks.enqueue_on_commit`); the sweep queues again
the quotes whose task was lost. Acknowledged late and idempotent: a replay does nothing twice.
"""

from celery import shared_task

from segur_funding.core import clock
from segur_funding.core.tasks import LOST_AFTER, SWEEP_BATCH, requeue_waiting

from . import selectors, services


@shared_task(name="quotes.quote_pdf_render", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def quote_pdf_render_task(quote_id: int) -> None:
    services.quote_pdf_render(quote_id=quote_id)


@shared_task(
    name="quotes.uploaded_quote_check", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def uploaded_quote_check_task(quote_id: int) -> None:
    services.uploaded_quote_check(quote_id=quote_id)


@shared_task(name="quotes.requeue_lost_work", acks_late=True, ignore_result=True)
def requeue_lost_work() -> int:
    """Beat: quotes still without their PDF or their check LOST_AFTER later get their task again."""
    before = clock.now() - LOST_AFTER
    return requeue_waiting(
        "quotes.quote_pdf_render", selectors.quotes_waiting_for_pdf(before=before, limit=SWEEP_BATCH)
    ) + requeue_waiting(
        "quotes.uploaded_quote_check",
        selectors.uploaded_quotes_waiting_for_check(before=before, limit=SWEEP_BATCH),
    )
