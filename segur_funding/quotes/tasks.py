"""Background work on quotes: thin wrappers, id in, service out (scheduled on commit)."""

from celery import shared_task


@shared_task(acks_late=True)
def quote_pdf_render_task(quote_id: int) -> None:
    from .services import quote_pdf_render

    quote_pdf_render(quote_id=quote_id)


@shared_task(acks_late=True)
def uploaded_quote_check_task(quote_id: int) -> None:
    from .services import uploaded_quote_check

    uploaded_quote_check(quote_id=quote_id)
