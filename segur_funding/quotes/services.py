"""Writes on quotes: drafting, checking, issuing (PDF in a task), signing, delivery, PDF uploads.

Each function owns its transaction, writes the history row of the move and schedules its tasks on
commit. The check is always the one checker of SPEC §4 (`checker.quote_check_document` /
`checker.quote_check_file`), so a web quote is judged exactly like on the command line.
"""

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from segur_funding.core import clock
from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.core.moves import history_user, move, today_or
from segur_funding.core.tasks import enqueue_on_commit
from segur_funding.core.verification import qr_svg_data_uri, verification_token_new, verification_url
from segur_funding.notifications import notify
from segur_funding.organizations.models import Organization, User
from segur_funding.organizations.selectors import user_clients, user_editors
from segur_funding.referential.models import Dsr, FundingWindow
from segur_funding.referential.rules import window_for_signature
from segur_funding.referential.selectors import scheme_ref_for_dsr

from .checker import quote_check_document, quote_check_file
from .constants import QuoteAction, QuoteActor, Scope, Verdict
from .models import (
    CheckStatus,
    Quote,
    QuoteEvent,
    QuoteEventKind,
    QuoteLine,
    QuoteOrigin,
    QuoteStatus,
)
from .rules.workflow import WORKFLOW, SignatureFacts, next_step_after
from .selectors import out_of_scope_total, quote_document
from .signing import pdf_seal

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class LineInput:
    label: str
    scope: str
    amount_ttc: Decimal
    amount_ht: Decimal | None = None
    dsr_codes: str = ""
    is_technical_debt: bool = False


@dataclass(frozen=True, slots=True)
class StateLineSuggestion:
    label: str
    amount_ttc: Decimal
    amount_ht: Decimal | None
    already_there: bool


def state_line_suggestion(
    *, lines: Sequence[LineInput], report: dict | None, wording: str
) -> StateLineSuggestion | None:
    """The State-funding line the editor should add: the Ségur total, capped by the tier's caps
    (from the check report, so the AF's figures), with the AF's wording."""
    if not report or not report.get("cap_ttc"):
        return None
    segur = [line for line in lines if line.scope == Scope.SEGUR]
    if not segur:
        return None
    ttc = min(sum((line.amount_ttc for line in segur), Decimal("0.00")), Decimal(report["cap_ttc"]))
    ht = None
    if all(line.amount_ht is not None for line in segur) and report.get("cap_ht"):
        ht = min(sum((line.amount_ht for line in segur), Decimal("0.00")), Decimal(report["cap_ht"]))
    state = [line for line in lines if line.scope == Scope.STATE_FUNDING]
    already = len(state) == 1 and state[0].amount_ttc == ttc
    return StateLineSuggestion(label=wording, amount_ttc=ttc, amount_ht=ht, already_there=already)


def lines_with_state_line(
    *, lines: Sequence[LineInput], suggestion: StateLineSuggestion
) -> list[LineInput]:
    """The lines with the suggested State-funding line in place of any other, right after the
    Ségur lines (where the seed's examples put it)."""
    kept = [x for x in lines if x.scope != Scope.STATE_FUNDING]
    position = max((i + 1 for i, x in enumerate(kept) if x.scope == Scope.SEGUR), default=0)
    kept.insert(
        position,
        LineInput(
            label=suggestion.label,
            scope=Scope.STATE_FUNDING,
            amount_ttc=suggestion.amount_ttc,
            amount_ht=suggestion.amount_ht,
        ),
    )
    return kept


def _fr(value: date | None) -> str:
    return date_format(value, "d/m/Y") if value else "—"


def _event(
    quote: Quote,
    *,
    kind: str,
    user: User | None,
    from_status: str = "",
    to_status: str = "",
    comment: str = "",
) -> QuoteEvent:
    return QuoteEvent.objects.create(
        quote=quote,
        kind=kind,
        actor=history_user(user),
        from_status=from_status,
        to_status=to_status,
        comment=comment,
    )


def _move(
    quote: Quote,
    *,
    action: QuoteAction,
    who: str,
    user: User | None,
    facts: object = None,
    **fields: object,
) -> None:
    """The move `rules.workflow.WORKFLOW` allows (its guard judged on `facts`), written
    compare-and-set: a concurrent move makes the update touch no row."""
    frm = quote.status
    to = WORKFLOW.transition(frm, action, who, facts)
    move(
        quote,
        frm=frm,
        to=to,
        conflict="Ce devis vient d'être modifié par ailleurs : rechargez la page.",
        next_step=next_step_after(to=to, origin=quote.origin, current=quote.next_step),
        **fields,
    )
    kind = {
        QuoteStatus.ISSUED: QuoteEventKind.ISSUED,
        QuoteStatus.SIGNED: QuoteEventKind.SIGNED,
        QuoteStatus.DELIVERED: QuoteEventKind.DELIVERED,
        QuoteStatus.CANCELLED: QuoteEventKind.CANCELLED,
    }[to]
    _event(quote, kind=kind, user=user, from_status=frm, to_status=to)


def quote_editor_require(*, user: User, quote: Quote) -> None:
    """Only a member of the quote's editor acts on it as the editor (quotes and their funding)."""
    if quote.origin != QuoteOrigin.WEB or not user_editors(user=user).filter(pk=quote.editor_id).exists():
        raise DomainError("Ce devis n'appartient pas à votre organisation.", code="FORBIDDEN")


def _require_lab(user: User, quote: Quote) -> None:
    if not user_clients(user=user).filter(pk=quote.client_id).exists():
        raise DomainError("Ce devis n'est pas adressé à votre organisation.", code="FORBIDDEN")


def _locked(quote_id: int) -> Quote:
    # Row lock on PostgreSQL; SQLite serialises writers itself (BEGIN IMMEDIATE).
    return (
        Quote.objects.select_for_update(of=("self",))
        .select_related("dsr", "client", "editor")
        .get(pk=quote_id)
    )


# --- Checking ---------------------------------------------------------------------------------


def document_check(document: dict, *, today: date | None = None) -> dict:
    """SPEC §4 report of a document, as a dict (InvalidInput when it cannot be checked at all)."""
    return quote_check_document(document, today=today_or(today)).to_dict()


def _store_check(quote: Quote, report: dict) -> None:
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
    report = document_check(quote.document or quote_document(quote), today=today)
    _event(
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
    _store_check(quote, report)
    unsigned.update(
        check_report=quote.check_report,
        verdict=quote.verdict,
        check_status=quote.check_status,
        check_error="",
        checked_at=quote.checked_at,
    )
    return report


# --- Editor: drafting and issuing ------------------------------------------------------------


def _number_next(*, editor: Organization, today: date) -> str:
    # A counter row locked until this transaction ends: no two creations get the same number.
    from .numbering import quote_number_next

    return quote_number_next(editor_id=editor.pk, year=today.year)


def _lines_replace(quote: Quote, lines: Sequence[LineInput]) -> None:
    if not lines:
        raise InvalidInput("Ajoutez au moins une ligne au devis.")
    quote.lines.all().delete()
    QuoteLine.objects.bulk_create(
        QuoteLine(
            quote=quote,
            position=i,
            label=line.label.strip(),
            scope=line.scope,
            dsr_codes=",".join(c.strip().upper() for c in line.dsr_codes.split(",") if c.strip()),
            is_technical_debt=line.is_technical_debt,
            amount_ht=line.amount_ht,
            amount_ttc=line.amount_ttc,
        )
        for i, line in enumerate(lines)
    )


def _validate_parties(*, user: User, editor: Organization, client: Organization, dossier) -> None:
    if not user_editors(user=user).filter(pk=editor.pk).exists():
        raise DomainError("Vous n'êtes pas membre de cet éditeur.", code="FORBIDDEN")
    if client.kind != "client":
        raise InvalidInput("Le destinataire du devis doit être un client (laboratoire).")
    if not client.geographic_sites:
        raise InvalidInput(
            f"Le nombre de sites géographiques de « {client.name} » n'est pas renseigné : "
            "la tranche du barème ne peut pas être déterminée."
        )
    if dossier is not None and dossier.editor_id != editor.pk:
        raise DomainError("Ce dossier de référencement n'appartient pas à votre organisation.")


@transaction.atomic
def quote_create(
    *,
    user: User,
    editor: Organization,
    client: Organization,
    dsr: Dsr,
    dossier=None,
    order_date: date | None = None,
    mentions: str = "",
    conditions: str = "",
    lines: Sequence[LineInput],
    number: str = "",
    today: date | None = None,
) -> Quote:
    """A draft quote of `editor` for `client`, checked at once (the report is kept)."""
    today = today_or(today)
    _validate_parties(user=user, editor=editor, client=client, dossier=dossier)
    quote = Quote(
        origin=QuoteOrigin.WEB,
        editor=editor,
        client=client,
        dsr=dsr,
        dossier=dossier,
        order_date=order_date or today,
        mentions=mentions,
        conditions=conditions,
        number=number.strip() or _number_next(editor=editor, today=today),
        created_by=user,
    )
    try:
        with transaction.atomic():
            quote.save()
    except IntegrityError:
        raise DomainError(
            f"Le numéro de devis « {quote.number} » est déjà utilisé.", code="DUPLICATE_NUMBER"
        ) from None
    _lines_replace(quote, lines)
    _event(quote, kind=QuoteEventKind.CREATED, user=user, to_status=QuoteStatus.DRAFT)
    quote_check(quote=quote, today=today)
    return quote


@transaction.atomic
def quote_update(
    *,
    quote: Quote,
    user: User,
    client: Organization,
    dsr: Dsr,
    dossier=None,
    order_date: date | None,
    mentions: str,
    conditions: str,
    lines: Sequence[LineInput],
    today: date | None = None,
) -> Quote:
    quote = _locked(quote.pk)
    quote_editor_require(user=user, quote=quote)
    if quote.status != QuoteStatus.DRAFT:
        raise DomainError("Seul un brouillon peut être modifié.", code="NOT_DRAFT")
    _validate_parties(user=user, editor=quote.editor, client=client, dossier=dossier)
    quote.client = client
    quote.dsr = dsr
    quote.dossier = dossier
    quote.order_date = order_date or today_or(today)
    quote.mentions = mentions
    quote.conditions = conditions
    quote.save(
        update_fields=["client", "dsr", "dossier", "order_date", "mentions", "conditions", "updated_at"]
    )
    _lines_replace(quote, lines)
    _event(quote, kind=QuoteEventKind.UPDATED, user=user)
    quote_check(quote=quote, today=today)
    return quote


def _error_summary(report: dict, *, limit: int = 3) -> str:
    errors = [f["message"] for f in report.get("findings", []) if f["severity"] != "warning"]
    text = " ".join(errors[:limit])
    if len(errors) > limit:
        text += f" (et {len(errors) - limit} autre(s) problème(s))"
    return text


@transaction.atomic
def quote_issue(*, quote: Quote, user: User, today: date | None = None) -> Quote:
    """Issue a conform draft: freeze its document and render its PDF in a task after commit."""
    quote = _locked(quote.pk)
    quote_editor_require(user=user, quote=quote)
    WORKFLOW.transition(quote.status, QuoteAction.ISSUE, QuoteActor.EDITOR)  # before the check
    document = quote_document(quote)
    report = document_check(document, today=today)
    if report["verdict"] != Verdict.CONFORM:
        raise DomainError(
            "Ce devis n'est pas conforme : corrigez-le avant de l'émettre. " + _error_summary(report),
            code="NOT_CONFORM",
        )
    _store_check(quote, report)
    _move(
        quote,
        action=QuoteAction.ISSUE,
        who=QuoteActor.EDITOR,
        user=user,
        document=document,
        check_report=report,
        verdict=report["verdict"],
        check_status=CheckStatus.DONE,
        checked_at=quote.checked_at,
        issued_at=clock.now(),
        verification_token=quote.verification_token or verification_token_new(),
    )
    notify.quote_issued_notify(quote=quote)
    enqueue_on_commit("quotes.quote_pdf_render", quote.pk)
    return quote


@transaction.atomic
def quote_cancel(*, quote: Quote, user: User) -> Quote:
    quote = _locked(quote.pk)
    quote_editor_require(user=user, quote=quote)
    _move(quote, action=QuoteAction.CANCEL, who=QuoteActor.EDITOR, user=user)
    return quote


def _pdf_context(quote: Quote) -> dict:
    lines = list(quote.lines.all())
    segur = [line for line in lines if line.scope == Scope.SEGUR]
    state = [line for line in lines if line.scope == Scope.STATE_FUNDING]
    debt = [line for line in lines if line.scope == Scope.OUT_OF_SCOPE and line.is_technical_debt]
    other = [line for line in lines if line.scope == Scope.OUT_OF_SCOPE and not line.is_technical_debt]
    document = quote.document or quote_document(quote)
    report = quote.check_report or {}
    remainder = Decimal(report.get("client_remainder_ttc") or "0.00")
    return {
        "client_total": remainder + out_of_scope_total(quote),
        "quote": quote,
        "document": document,
        "report": report,
        "segur_lines": segur,
        "state_lines": state,
        "debt_lines": debt,
        "other_lines": other,
        "segur_total": sum((x.amount_ttc for x in segur), Decimal("0.00")),
        "state_total": sum((x.amount_ttc for x in state), Decimal("0.00")),
        "out_of_scope_total": out_of_scope_total(quote),
        "scheme": scheme_ref_for_dsr(dsr_code=quote.dsr.code) if quote.dsr_id else None,
    }


def quote_pdf_bytes(quote: Quote) -> bytes:
    """The quote as PDF, with its SPEC §4 document attached (devis-segur.json) for exact
    re-checks, sealed by the platform (`signing.pdf_seal`) so that only this very PDF's
    attachment is believed, and with the short URL and QR code of its public verification page.
    """
    from weasyprint import HTML  # heavy: imported where used

    if quote.status == QuoteStatus.DRAFT or not quote.verification_token:
        # Only what the platform issued is sealed: a sealed draft would be believed as issued.
        raise DomainError("Un brouillon n'a pas de PDF : émettez d'abord le devis.", code="NOT_ISSUED")
    context = _pdf_context(quote)
    url = verification_url(quote.verification_token)
    context.update(verification_url=url, verification_qr=qr_svg_data_uri(url))
    html = render_to_string("quotes/pdf/quote.html", context)
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    document = json.dumps(quote.document or quote_document(quote), ensure_ascii=False, indent=2)
    issued = timezone.localdate(quote.issued_at) if quote.issued_at else None
    return pdf_seal(
        pdf,
        document=document.encode("utf-8"),
        number=quote.number,
        token=quote.verification_token,
        issued_on=issued.isoformat() if issued else "",
        editor=quote.editor_display,
    )


def quote_pdf_render(*, quote_id: int) -> None:
    """Render and keep the PDF of an issued web quote (run by a task, idempotent: a quote that
    has its PDF is not rendered again, and of two concurrent renders one keeps its file)."""
    quote = Quote.objects.select_related("editor", "client", "dsr", "dossier").get(pk=quote_id)
    if quote.status == QuoteStatus.DRAFT or quote.origin != QuoteOrigin.WEB or quote.pdf:
        return
    if not quote.verification_token:
        # Quotes issued before verification links existed get theirs with their next rendering.
        Quote.objects.filter(pk=quote.pk, verification_token__isnull=True).update(
            verification_token=verification_token_new()
        )
        quote.refresh_from_db(fields=["verification_token"])
    content = quote_pdf_bytes(quote)
    quote.pdf.save(f"devis-{quote.number}.pdf", ContentFile(content), save=False)
    with transaction.atomic():
        # Compare-and-set: a redelivered task that lost the race removes its own file.
        if not Quote.objects.filter(pk=quote.pk, pdf="").update(pdf=quote.pdf.name):
            quote.pdf.storage.delete(quote.pdf.name)
            return
        _event(quote, kind=QuoteEventKind.PDF_RENDERED, user=None)


# --- Lab: signature and delivery -------------------------------------------------------------


@transaction.atomic
def quote_sign(*, quote: Quote, user: User, today: date | None = None) -> Quote:
    """The lab accepts a conform quote today (Europe/Paris), inside a funding window."""
    today = today_or(today)
    quote = _locked(quote.pk)
    _require_lab(user, quote)
    scheme = scheme_ref_for_dsr(dsr_code=quote.dsr.code) if quote.dsr_id else None
    facts = SignatureFacts(
        origin=quote.origin,
        windows=scheme.windows if scheme is not None else None,
        signature_date=today,
    )
    # Status, origin and the funding windows are judged before the (slower) re-check.
    WORKFLOW.transition(quote.status, QuoteAction.SIGN, QuoteActor.LAB, facts)
    window = window_for_signature(scheme.windows, today)
    document = dict(quote.document or quote_document(quote))
    document["signature_date"] = today.isoformat()
    # Referencing dates are read again: the dossier may have been completed since the issue.
    document["referencing"] = quote_document(quote)["referencing"]
    report = document_check(document, today=today)
    if report["verdict"] != Verdict.CONFORM:
        raise DomainError(
            "Ce devis n'est pas conforme : il ne peut pas être signé. " + _error_summary(report),
            code="NOT_CONFORM",
        )
    window_row = FundingWindow.objects.get(
        scheme__dsr=quote.dsr, scheme__is_active=True, number=window.number
    )
    _move(
        quote,
        action=QuoteAction.SIGN,
        who=QuoteActor.LAB,
        user=user,
        facts=facts,
        signature_date=today,
        window=window_row,
        check_report=report,
        verdict=report["verdict"],
        checked_at=clock.now(),
    )
    notify.quote_signed_notify(quote=quote)
    return quote


@transaction.atomic
def quote_declare_delivery(
    *, quote: Quote, user: User, delivered_on: date | None = None, today: date | None = None
) -> Quote:
    """The lab declares the service delivered and in working order (mise en ordre de marche)."""
    today = today_or(today)
    delivered_on = delivered_on or today
    quote = _locked(quote.pk)
    _require_lab(user, quote)
    if delivered_on > today:
        raise InvalidInput("La date de mise en ordre de marche ne peut pas être dans le futur.")
    if quote.signature_date and delivered_on < quote.signature_date:
        raise InvalidInput(
            "La mise en ordre de marche ne peut pas précéder la signature du devis "
            f"({_fr(quote.signature_date)})."
        )
    _move(
        quote,
        action=QuoteAction.DECLARE_DELIVERY,
        who=QuoteActor.LAB,
        user=user,
        delivered_on=delivered_on,
    )
    notify.quote_delivery_notify(quote=quote, declared_by=user)
    return quote


# --- Lab: uploaded PDF quotes ----------------------------------------------------------------


def _pdf_bytes_check(file: UploadedFile) -> None:
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise InvalidInput("Le fichier dépasse 10 Mo.")
    head = file.read(5)
    file.seek(0)
    if head != b"%PDF-":
        raise InvalidInput("Le fichier déposé n'est pas un PDF.")
    # Imported here: PDF libraries stay out of start-up (STYLE, "Small habits").
    from .pdf_reader import LOCKED_PDF_REFUSAL, needs_password

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
    _event(quote, kind=QuoteEventKind.UPLOADED, user=user, comment=Path(quote.pdf.name).name)
    enqueue_on_commit("quotes.uploaded_quote_check", quote.pk)
    return quote


def uploaded_quote_check(*, quote_id: int) -> None:
    """Run the checker on an uploaded PDF and keep the result; a failure is kept too."""
    quote = Quote.objects.get(pk=quote_id)
    if quote.origin != QuoteOrigin.UPLOADED or quote.check_status != CheckStatus.PENDING:
        return  # a replayed task: the check ran already
    try:
        report = quote_check_file(Path(quote.pdf.path), overrides=quote.overrides or None)
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
        _event(quote, kind=QuoteEventKind.CHECKED, user=None, comment=comment)
        quote.refresh_from_db()
        notify.quote_check_notify(
            quote=quote, failed=fields["check_status"] == CheckStatus.FAILED, outcome=comment
        )


def quote_report_pdf_bytes(quote: Quote) -> bytes:
    """The check report as a PDF for the lab (same words as the page)."""
    from weasyprint import HTML  # heavy: imported where used

    html = render_to_string(
        "quotes/pdf/report.html",
        {
            "quote": quote,
            "report": quote.check_report or {},
            "out_of_scope_total": out_of_scope_total(quote) if quote.origin == QuoteOrigin.WEB else None,
            "generated_at": clock.local_now(),
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
