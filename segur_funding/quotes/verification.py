"""« Ce PDF est-il bien celui émis sur la plateforme ? » — the public answer about a quote PDF.

Anyone (a lab, its accountant, the ASP) gives the quote number and the file, or follows the short
URL / QR code printed on the quote. The answer names only what the quote itself prints for its
issuer: the number, the issue date, the editor and whether it still stands. Nothing about the
client nor the people involved.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from segur_funding.core.errors import InvalidInput

from .models import Quote, QuoteOrigin, QuoteStatus

MAX_VERIFY_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class QuotePublic:
    """What the public page may say about an issued quote."""

    number: str
    issued_on: date | None
    editor: str
    status: str
    status_label: str

    @property
    def cancelled(self) -> bool:
        return self.status == QuoteStatus.CANCELLED


@dataclass(frozen=True, slots=True)
class QuoteVerification:
    genuine: bool
    reason: str = ""  # French, when not genuine
    quote: QuotePublic | None = None


def _public(quote: Quote) -> QuotePublic:
    return QuotePublic(
        number=quote.number,
        issued_on=timezone.localdate(quote.issued_at) if quote.issued_at else None,
        editor=quote.editor_display,
        status=quote.status,
        status_label=QuoteStatus(quote.status).label,
    )


def quote_public_by_token(*, token: str) -> QuotePublic | None:
    quote = (
        Quote.objects.select_related("editor")
        .filter(verification_token=token, origin=QuoteOrigin.WEB)
        .exclude(status=QuoteStatus.DRAFT)
        .first()
    )
    return _public(quote) if quote is not None else None


def _same_number(typed: str, number: str) -> bool:
    return "".join(typed.split()).casefold() == "".join(number.split()).casefold()


def quote_pdf_verify(*, number: str, data: bytes) -> QuoteVerification:
    """Is `data` the very PDF this platform issued as quote `number`?

    Yes only when the PDF carries the platform's seal, the seal checks (our key, attachment and
    printed text unchanged) and names an issued quote with that number.
    """
    from .pdf_reader import read_pdf_seal  # PDF libraries stay out of start-up

    if len(data) > MAX_VERIFY_BYTES:
        return QuoteVerification(
            False, "Le fichier dépasse 10 Mo : ce n'est pas un devis émis par la plateforme."
        )
    try:
        check = read_pdf_seal(data)
    except InvalidInput as exc:
        return QuoteVerification(False, exc.message)
    if check is None:
        return QuoteVerification(
            False,
            "Ce PDF ne porte pas la signature de la plateforme : il n'a pas été émis par elle "
            "(ou il a été imprimé puis numérisé, ou enregistré sans ses pièces jointes). "
            "Demandez à l'éditeur le PDF téléchargé depuis la plateforme.",
        )
    if not check.trusted:
        return QuoteVerification(
            False, f"Ce PDF n'est pas celui émis par la plateforme : sa pièce jointe {check.reason}."
        )
    token = str(check.seal.get("token") or "") if check.seal else ""
    quote = quote_public_by_token(token=token) if token else None
    if quote is None:
        return QuoteVerification(
            False,
            "La signature de ce PDF est valide mais le devis qu'elle désigne n'existe pas sur "
            "cette plateforme (document d'un autre environnement ?).",
        )
    if not _same_number(number, quote.number):
        return QuoteVerification(
            False,
            f"Ce PDF est bien émis par la plateforme, mais c'est le devis n° {quote.number}, "
            f"pas le n° {number.strip()}.",
            quote,
        )
    return QuoteVerification(True, quote=quote)
