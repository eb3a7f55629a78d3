"""Checking a quote with the one checker of SPEC §4, and keeping (or freezing) its report."""

from datetime import date

from segur_funding.core import clock
from segur_funding.core.errors import InvalidInput
from segur_funding.core.moves import today_or
from segur_funding.organizations.models import User

from ..checker import quote_check_document
from ..constants import Verdict
from ..models import CheckStatus, Quote, QuoteEventKind, QuoteStatus
from ..selectors import quote_document
from .common import quote_event


def document_check(document: dict, *, today: date | None = None) -> dict:
    """SPEC §4 report of a document, as a dict (InvalidInput when it cannot be checked at all)."""
    return quote_check_document(document, today=today_or(today)).to_dict()


def report_store(quote: Quote, report: dict) -> None:
    quote.check_report = report
    quote.verdict = report["verdict"]
    quote.check_status = CheckStatus.DONE
    quote.check_error = ""
    quote.checked_at = clock.now()


# The report a client signed is part of what was signed: never rewritten afterwards.
FROZEN_REPORT_STATUSES = (QuoteStatus.SIGNED, QuoteStatus.DELIVERED)


def _frozen_recheck(quote: Quote, *, user: User | None, today: date | None) -> dict:
    """A signed quote checked again: the signed document against today's rules, answered and
    recorded as its own history row; the stored (signed) report is left as it is."""
    signed = quote.signed_document or quote.document or quote_document(quote)
    report = document_check(signed, today=today)
    quote_event(
        quote,
        kind=QuoteEventKind.CHECKED,
        user=user,
        comment=f"Nouvelle vérification après signature : {Verdict(report['verdict']).label}. "
        "Le rapport signé est conservé.",
    )
    return report


def quote_check(*, quote: Quote, today: date | None = None, user: User | None = None) -> dict:
    """Re-check a web quote now and keep the report (refreshes referencing dates); a signed
    quote's report is not rewritten (see `_frozen_recheck`)."""
    if quote.status in FROZEN_REPORT_STATUSES:
        return _frozen_recheck(quote, user=user, today=today)
    # The status condition of the updates: a signature committed meanwhile wins.
    unsigned = Quote.objects.filter(pk=quote.pk).exclude(status__in=FROZEN_REPORT_STATUSES)
    try:
        report = document_check(quote_document(quote), today=today)
    except InvalidInput as exc:
        unsigned.update(
            check_status=CheckStatus.FAILED, check_error=exc.message, verdict="", check_report=None
        )
        raise
    report_store(quote, report)
    unsigned.update(
        check_report=quote.check_report,
        verdict=quote.verdict,
        check_status=quote.check_status,
        check_error="",
        checked_at=quote.checked_at,
    )
    return report
