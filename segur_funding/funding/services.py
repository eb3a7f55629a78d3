"""Writes on funding requests: filing, ASP decisions, payments, exports.

Each function owns its transaction and writes the history row of its move. Money moves follow
one pattern: lock the row (`select_for_update`, a real lock on PostgreSQL; SQLite serialises
writers with BEGIN IMMEDIATE), then a compare-and-set update that only touches the row if its
status is still the one we read, then the payment row that a unique constraint per (quote,
milestone) protects a third time. Two reviewers clicking "pay" together get one payment and one
clear message.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.formats import date_format

from segur_funding.core import clock
from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.core.files import PDF, safe_filename, upload_check
from segur_funding.core.moves import history_user, move, next_step_refresh, today_or
from segur_funding.core.tasks import enqueue_on_commit
from segur_funding.core.workflow import refuse
from segur_funding.notifications import notify
from segur_funding.organizations.models import User
from segur_funding.organizations.selectors import is_asp_reviewer
from segur_funding.quotes.constants import Verdict
from segur_funding.quotes.models import Quote
from segur_funding.quotes.selectors import quote_referencing
from segur_funding.quotes.services import quote_editor_require
from segur_funding.referential import rules as af_rules
from segur_funding.referential.rules import SchemeRef, WindowRef
from segur_funding.referential.selectors import scheme_ref_for_dsr, window_to_ref

from . import rules
from .bank import bank_account_in_force
from .constants import (
    ALREADY_PAID_MESSAGE,
    Actor,
    CorrectionReason,
    Milestone,
    RequestAction,
    RequestStatus,
)
from .models import CorrectionRequest, ExportJob, FundingRequest, Payment, RequestEvent
from .selectors import SIGNED_STATUSES, quote_balance_facts, quote_next_step, request_validated_on


def _fr(value: date | None) -> str:
    return date_format(value, "d/m/Y") if value else "—"


def _event(
    request: FundingRequest, *, frm: str, to: str, user: User | None, comment: str = ""
) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        from_status=frm,
        to_status=to,
        actor=history_user(user),
        comment=comment,
    )


def _move(
    request: FundingRequest,
    *,
    action: RequestAction,
    actor: str,
    user: User | None,
    comment: str = "",
    facts: rules.MilestoneFacts | None = None,
    **fields: object,
) -> FundingRequest:
    """The move `rules.WORKFLOW` allows (guards judged on `facts`), written compare-and-set: a
    concurrent move makes it touch no row."""
    frm = request.status
    if frm == RequestStatus.PAID and action == RequestAction.PAY:
        raise DomainError(ALREADY_PAID_MESSAGE, code="ALREADY_PAID")
    to = rules.WORKFLOW.transition(frm, action, actor, facts)
    if to == RequestStatus.PAID:
        conflict, code = ALREADY_PAID_MESSAGE, "ALREADY_PAID"
    else:
        conflict = "Cette demande vient d'être traitée par quelqu'un d'autre : rechargez la page."
        code = "CONFLICT"
    move(request, frm=frm, to=to, conflict=conflict, conflict_code=code, **fields)
    next_step_refresh(Quote, request.quote_id, decide=lambda quote: quote_next_step(quote=quote))
    _event(request, frm=frm, to=to, user=user, comment=comment)
    return request


def _milestone_facts(request: FundingRequest) -> rules.MilestoneFacts:
    payments = Payment.objects.filter(quote_id=request.quote_id)
    return rules.MilestoneFacts(
        milestone=request.milestone,
        advance_paid=payments.filter(milestone=Milestone.ADVANCE).exists(),
        refused=FundingRequest.objects.filter(
            quote_id=request.quote_id, status=RequestStatus.REFUSED
        ).exists(),
        balance_paid=payments.filter(milestone=Milestone.BALANCE).exists(),
    )


def _locked_request(request_id: int) -> FundingRequest:
    try:
        return (
            FundingRequest.objects.select_for_update(of=("self",))
            .select_related("quote", "quote__window", "quote__dsr")
            .get(pk=request_id)
        )
    except FundingRequest.DoesNotExist:
        raise DomainError("Cette demande de financement n'existe pas.", code="NOT_FOUND") from None


def _locked_quote(quote_id: int) -> Quote:
    return (
        Quote.objects.select_for_update(of=("self",))
        .select_related("window", "dsr", "dossier", "editor")
        .get(pk=quote_id)
    )


def _require_asp(user: User) -> None:
    if not is_asp_reviewer(user=user):
        raise DomainError("Seul un instructeur de l'ASP peut faire cela.", code="FORBIDDEN")


def _funded_amount(quote: Quote) -> Decimal:
    raw = (quote.check_report or {}).get("state_funding_ttc")
    if quote.verdict != Verdict.CONFORM or raw is None:
        raise DomainError(
            "Le devis n'a pas de vérification conforme : aucun financement ne peut être demandé.",
            code="NOT_CONFORM",
        )
    return Decimal(raw)


def _scheme(quote: Quote) -> SchemeRef:
    """The AF of the quote's DSR: its figures (30 %, 120 days) are the only ones used."""
    scheme = scheme_ref_for_dsr(dsr_code=quote.dsr.code)
    if scheme is None:
        raise DomainError("Aucun barème n'est publié pour ce DSR.", code="NO_SCHEME")
    return scheme


def _window_ref(quote: Quote) -> WindowRef:
    if quote.window_id is None:
        raise DomainError(
            "Le devis n'est rattaché à aucune fenêtre de financement (il n'a pas été signé "
            "dans une fenêtre ouverte).",
            code="NO_WINDOW",
        )
    return window_to_ref(quote.window)


# --- Editor: filing ---------------------------------------------------------------------------


@transaction.atomic
def advance_request_file(
    *, quote: Quote, user: User, comment: str = "", today: date | None = None
) -> FundingRequest:
    """File the 30 % advance of a signed quote with the ASP.

    Refused with a French message, nothing written, when: the quote is not signed, a request
    already exists for the advance, the window's advance deadline is past, or the order was
    placed before referencing and the 120-day rule is not met (from the dossier's dates), or the
    software's complete proof dossier was sent after the window's proofs deadline.
    """
    today = today_or(today)
    quote = _locked_quote(quote.pk)
    quote_editor_require(user=user, quote=quote)
    refuse(
        rules.advance_filing_refusal(
            quote_signed=quote.status in SIGNED_STATUSES,
            advance_requested=FundingRequest.objects.filter(
                quote=quote, milestone=Milestone.ADVANCE
            ).exists(),
        )
    )
    window = _window_ref(quote)
    refuse(af_rules.advance_request_refusal(window, today))
    scheme = _scheme(quote)
    proofs_complete_on = _preorder_check(quote, scheme=scheme, today=today)
    if proofs_complete_on is not None:
        refuse(af_rules.proofs_complete_refusal(window, proofs_complete_on))
    funded = _funded_amount(quote)
    split = rules.milestones(funded, scheme.advance_rate)
    request = FundingRequest(
        quote=quote,
        editor=quote.editor,
        milestone=Milestone.ADVANCE,
        status=RequestStatus.DRAFT,
        funded_amount=funded,
        amount=split.advance,
        editor_comment=comment,
    )
    return _file(request, user=user)


def _preorder_check(quote: Quote, *, scheme: SchemeRef, today: date) -> date | None:
    """An order placed before referencing becomes firm only with a complete proof dossier within
    the AF's delay (120 days) and the referencing obtained (SPEC §3.2): until then no money is
    asked. Returns the date the software's proof dossier was complete (None when unknown)."""
    dates = quote_referencing(quote)
    order_date = quote.order_date or quote.signature_date or today
    max_days = scheme.preorder_max_days
    status = af_rules.preorder_eligibility(
        order_date=order_date,
        referenced_on=dates.referenced_on,
        proofs_complete_on=dates.proofs_complete_on,
        today=today,
        max_days=max_days,
    )
    if status.state == af_rules.PreorderState.TOO_EARLY:
        raise DomainError(
            f"La commande du {_fr(order_date)} précède de plus de {max_days} jours le dossier "
            f"complet de preuves{' (toujours incomplet)' if status.lapsed else ''} : elle n'est "
            "pas éligible au financement.",
            code="ORDER_TOO_EARLY",
        )
    if status.state == af_rules.PreorderState.PENDING:
        raise DomainError(
            "La commande a été passée avant le référencement et le dossier de preuves n'est pas "
            f"encore complet (à déposer au plus tard le {_fr(status.deadline)}) : la demande "
            "d'avance sera possible une fois le logiciel référencé.",
            code="PROOFS_PENDING",
        )
    if dates.referenced_on is None:
        raise DomainError(
            "Le logiciel n'est pas encore référencé : la commande n'est pas affermie et aucun "
            "financement ne peut être demandé.",
            code="NOT_REFERENCED",
        )
    return dates.proofs_complete_on


def _file(request: FundingRequest, *, user: User) -> FundingRequest:
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise DomainError(
            f"Une demande de {request.get_milestone_display().lower()} existe déjà pour ce devis.",
            code="DUPLICATE_REQUEST",
        ) from None
    request = _move(
        request,
        action=RequestAction.SUBMIT,
        actor=Actor.EDITOR,
        user=user,
        comment=request.editor_comment,
        submitted_at=clock.now(),
    )
    notify.funding_request_submitted_notify(request=request)
    return request


def _invoice_check(invoice: UploadedFile | None) -> None:
    if invoice is None:
        raise InvalidInput("Joignez la facture (PDF) à la demande de solde.")
    upload_check(invoice, name=invoice.name or "facture.pdf", size=invoice.size or 0, kinds=(PDF,))


@transaction.atomic
def balance_request_file(
    *,
    quote: Quote,
    user: User,
    invoice: UploadedFile | None,
    comment: str = "",
    today: date | None = None,
) -> FundingRequest:
    """File the 70 % balance: only after the advance is paid, never after a refusal, with the
    invoice and the lab's delivery declaration, before the window's balance deadline."""
    today = today_or(today)
    quote = _locked_quote(quote.pk)
    quote_editor_require(user=user, quote=quote)
    refuse(rules.balance_request_refusal(quote_balance_facts(quote=quote)))
    advance = FundingRequest.objects.get(quote=quote, milestone=Milestone.ADVANCE)
    paid = Payment.objects.get(quote=quote, milestone=Milestone.ADVANCE)
    window = _window_ref(quote)
    refuse(af_rules.service_completion_refusal(window, quote.delivered_on))
    refuse(af_rules.balance_request_refusal(window, today))
    _invoice_check(invoice)
    funded = advance.funded_amount
    # The balance is what is left once the advance actually paid: the two add up to the cent.
    request = FundingRequest(
        quote=quote,
        editor=quote.editor,
        milestone=Milestone.BALANCE,
        status=RequestStatus.DRAFT,
        funded_amount=funded,
        amount=funded - paid.amount,
        editor_comment=comment,
    )
    request.invoice.save(safe_filename(invoice.name, default_ext=".pdf"), invoice, save=False)
    return _file(request, user=user)


@transaction.atomic
def funding_request_resubmit(
    *,
    request: FundingRequest,
    user: User,
    comment: str,
    invoice: UploadedFile | None = None,
) -> FundingRequest:
    """The editor answers an "à modifier": the open correction is resolved, the request refiled."""
    request = _locked_request(request.pk)
    quote_editor_require(user=user, quote=request.quote)
    if not comment.strip():
        raise InvalidInput("Expliquez ce qui a été corrigé.")
    if rules.WORKFLOW.step(request.status, RequestAction.RESUBMIT) is None:
        raise DomainError(
            "Seule une demande « à modifier » peut être corrigée et redéposée.",
            code="ILLEGAL_TRANSITION",
        )
    fields: dict[str, object] = {"editor_comment": comment, "submitted_at": clock.now()}
    if invoice is not None:
        upload_check(invoice, name=invoice.name or "facture.pdf", size=invoice.size or 0, kinds=(PDF,))
        request.invoice.save(safe_filename(invoice.name, default_ext=".pdf"), invoice, save=False)
        fields["invoice"] = request.invoice.name
    CorrectionRequest.objects.filter(request=request, resolved_at__isnull=True).update(
        resolved_at=clock.now()
    )
    request = _move(
        request,
        action=RequestAction.RESUBMIT,
        actor=Actor.EDITOR,
        user=user,
        comment=comment,
        **fields,
    )
    notify.funding_request_submitted_notify(request=request)
    return request


# --- ASP: decisions and payments --------------------------------------------------------------


@transaction.atomic
def funding_request_validate(*, request: FundingRequest, user: User, comment: str = "") -> FundingRequest:
    _require_asp(user)
    request = _locked_request(request.pk)
    request = _move(
        request,
        action=RequestAction.VALIDATE,
        actor=Actor.ASP,
        user=user,
        comment=comment,
        facts=_milestone_facts(request),
        # core.clock: the validation day bounds the payment date (rules.payment_date_refusal).
        decided_at=clock.now(),
    )
    notify.funding_request_decided_notify(request=request)
    return request


@transaction.atomic
def funding_request_send_back(
    *, request: FundingRequest, user: User, reasons: Sequence[str], comment: str = ""
) -> CorrectionRequest:
    """ "À modifier": back to the editor with reasons (at least one, from CorrectionReason)."""
    _require_asp(user)
    reasons = list(dict.fromkeys(reasons))
    if not reasons:
        raise InvalidInput("Indiquez au moins un motif de modification.")
    unknown = [r for r in reasons if r not in CorrectionReason.values]
    if unknown:
        raise InvalidInput(f"Motif inconnu : {', '.join(unknown)}.")
    if CorrectionReason.OTHER in reasons and not comment.strip():
        raise InvalidInput("Précisez le motif « Autre » dans le commentaire.")
    request = _locked_request(request.pk)
    labels = dict(CorrectionReason.choices)
    summary = " ; ".join(str(labels[r]) for r in reasons)
    _move(
        request,
        action=RequestAction.SEND_BACK,
        actor=Actor.ASP,
        user=user,
        comment=f"{summary}. {comment}".strip() if comment.strip() else summary,
    )
    correction = CorrectionRequest.objects.create(
        request=request, reasons=reasons, comment=comment, requested_by=user
    )
    notify.funding_request_decided_notify(
        request=request, reason=f"{summary}. {comment}".strip() if comment.strip() else summary
    )
    return correction


@transaction.atomic
def funding_request_refuse(*, request: FundingRequest, user: User, comment: str) -> FundingRequest:
    _require_asp(user)
    if not comment.strip():
        raise InvalidInput("Le motif du refus est obligatoire : l'éditeur doit le connaître.")
    request = _locked_request(request.pk)
    request = _move(
        request,
        action=RequestAction.REFUSE,
        actor=Actor.ASP,
        user=user,
        comment=comment,
        decided_at=clock.now(),
    )
    notify.funding_request_decided_notify(request=request, reason=comment)
    return request


NO_BANK_DETAILS_MESSAGE = (
    "L'éditeur n'a pas de coordonnées bancaires validées par l'ASP : validez-les (Coordonnées "
    "bancaires) avant d'enregistrer un versement."
)


def payment_record(
    *,
    request: FundingRequest | int,
    user: User,
    paid_on: date,
    reference: str,
    today: date | None = None,
) -> Payment:
    """Record the payment of a validated request: it becomes "décidée et payée". The payment
    records the editor's bank details in force (validated by ASP); without any, nothing is paid.

    Safe under concurrency: whatever the number of simultaneous calls for one milestone, exactly
    one payment is written and every other call gets « Ce versement a déjà été enregistré. »
    """
    _require_asp(user)
    today = today_or(today)
    reference = reference.strip()
    if not reference:
        raise InvalidInput("Indiquez la référence du versement.")
    request_id = request if isinstance(request, int) else request.pk
    try:
        with transaction.atomic():
            locked = _locked_request(request_id)
            if locked.status == RequestStatus.PAID:
                raise DomainError(ALREADY_PAID_MESSAGE, code="ALREADY_PAID")
            if rules.WORKFLOW.step(locked.status, RequestAction.PAY) is None:
                raise DomainError(
                    f"Seule une demande validée peut être payée (celle-ci est "
                    f"« {locked.get_status_display()} »).",
                    code="NOT_VALIDATED",
                )
            refusal = rules.payment_date_refusal(
                paid_on=paid_on, validated_on=request_validated_on(locked), today=today
            )
            if refusal:
                raise InvalidInput(refusal)
            bank_account = bank_account_in_force(organization=locked.editor_id)
            if bank_account is None:
                raise DomainError(NO_BANK_DETAILS_MESSAGE, code="NO_BANK_DETAILS")
            _move(
                locked,
                action=RequestAction.PAY,
                actor=Actor.ASP,
                user=user,
                comment=f"Versement {reference} du {_fr(paid_on)}",
                facts=_milestone_facts(locked),
            )
            payment = Payment.objects.create(
                request=locked,
                bank_account=bank_account,
                quote_id=locked.quote_id,
                milestone=locked.milestone,
                amount=locked.amount,
                paid_on=paid_on,
                reference=reference,
                recorded_by=user,
            )
            notify.payment_made_notify(payment=payment)
            return payment
    except IntegrityError:
        # The unique constraint per (quote, milestone): another call won the race.
        raise DomainError(ALREADY_PAID_MESSAGE, code="ALREADY_PAID") from None


# --- Exports ----------------------------------------------------------------------------------


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

    from .models import ExportStatus
    from .resources import export_file

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
