"""PDF quotes a lab received elsewhere: kept, then checked in the background."""

import logging
from datetime import date
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from segur_funding.core import clock
from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.core.tasks import enqueue_on_commit
from segur_funding.organizations.models import Organization, User
from segur_funding.organizations.selectors import user_clients
from segur_funding.referential.models import Dsr

from .. import notify
from ..checker import quote_check_file_read
from ..constants import Verdict
from ..models import CheckStatus, Quote, QuoteEventKind, QuoteOrigin, QuoteStatus
from .common import quote_event

logger = logging.getLogger(__name__)


MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _pdf_bytes_check(file: UploadedFile) -> None:
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise InvalidInput("Le fichier dépasse 10 Mo.")
    head = file.read(5)
    file.seek(0)
    if head != b"%PDF-":
        raise InvalidInput("Le fichier déposé n'est pas un PDF.")
    # Imported here: PDF libraries stay out of start-up (STYLE, "Small habits").
    from ..pdf_reader import LOCKED_PDF_REFUSAL, needs_password

    # A PDF with an owner password only opens without asking and is checked like any other;
    # one that asks for a password cannot be read: refuse it now, before anything is stored.
    try:
        protected = needs_password(file)
    finally:
        file.seek(0)
    if protected:
        raise InvalidInput(LOCKED_PDF_REFUSAL)


@transaction.atomic
def quote_upload(
    *,
    user: User,
    client: Organization,
    file: UploadedFile,
    dsr: Dsr | None = None,
    editor_name: str = "",
    order_date: date | None = None,
    signature_date: date | None = None,
    referenced_on: date | None = None,
    proofs_complete_on: date | None = None,
) -> Quote:
    """Keep a PDF quote the lab received and check it in the background."""
    if not user_clients(user=user).filter(pk=client.pk).exists():
        raise DomainError("Vous n'êtes pas membre de ce laboratoire.", code="FORBIDDEN")
    _pdf_bytes_check(file)
    overrides: dict[str, object] = {}
    if dsr is not None:
        overrides["dsr"] = dsr.code
    if client.geographic_sites:
        overrides["geographic_sites"] = client.geographic_sites
    for key, value in (
        ("order_date", order_date),
        ("signature_date", signature_date),
        ("referenced_on", referenced_on),
        ("proofs_complete_on", proofs_complete_on),
    ):
        if value is not None:
            overrides[key] = value.isoformat()
    quote = Quote.objects.create(
        origin=QuoteOrigin.UPLOADED,
        client=client,
        dsr=dsr,
        editor_name=editor_name.strip(),
        order_date=order_date,
        signature_date=signature_date,
        status=QuoteStatus.ISSUED,
        check_status=CheckStatus.PENDING,
        overrides=overrides,
        created_by=user,
    )
    quote.pdf.save(Path(file.name or "devis.pdf").name, file, save=True)
    quote_event(quote, kind=QuoteEventKind.UPLOADED, user=user, comment=Path(quote.pdf.name).name)
    enqueue_on_commit("quotes.uploaded_quote_check", quote.pk)
    return quote


def uploaded_quote_check(*, quote_id: int) -> None:
    """Run the checker on an uploaded PDF and keep the result; a failure is kept too."""
    quote = Quote.objects.get(pk=quote_id)
    if quote.origin != QuoteOrigin.UPLOADED or quote.check_status != CheckStatus.PENDING:
        return  # a replayed task: the check ran already
    try:
        report, document = quote_check_file_read(Path(quote.pdf.path), overrides=quote.overrides or None)
    except InvalidInput as exc:
        fields = {"check_status": CheckStatus.FAILED, "check_error": exc.message, "verdict": ""}
        comment = exc.message
    except Exception:  # a crash of the reader must not leave the page "en cours" for ever
        logger.exception("Vérification du devis déposé %s impossible", quote_id)
        fields = {
            "check_status": CheckStatus.FAILED,
            "check_error": "La vérification a échoué de façon inattendue. Réessayez plus tard "
            "ou vérifiez le devis à la main.",
            "verdict": "",
        }
        comment = fields["check_error"]
    else:
        data = report.to_dict()
        fields = {
            "check_status": CheckStatus.DONE,
            "check_error": "",
            "check_report": data,
            "verdict": data["verdict"],
            # What was read, so that the lab's page lists the lines, their scope and amount.
            "document": document if isinstance(document, dict) else None,
            "number": (report.number or "")[:60] or quote.number,
        }
        comment = Verdict(data["verdict"]).label
    with transaction.atomic():
        # Compare-and-set: a redelivered task finds the check done and writes nothing twice.
        updated = Quote.objects.filter(pk=quote.pk, check_status=CheckStatus.PENDING).update(
            checked_at=clock.now(), **fields
        )
        if not updated:
            return
        quote_event(quote, kind=QuoteEventKind.CHECKED, user=None, comment=comment)
        quote.refresh_from_db()
        notify.quote_check_notify(
            quote=quote, failed=fields["check_status"] == CheckStatus.FAILED, outcome=comment
        )
