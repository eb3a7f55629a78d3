"""Phase 2 moves: sending the proofs, instruction, correction requests, grant or refusal, and
the referencing certificate."""

from collections.abc import Iterable
from datetime import date

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from segur_funding.core import clock
from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.core.tasks import enqueue_on_commit
from segur_funding.core.verification import qr_svg_data_uri, verification_token_new, verification_url
from segur_funding.notifications.constants import NotificationKind
from segur_funding.notifications.rules import fr_date
from segur_funding.organizations.models import User
from segur_funding.referential.models import Dsr, Requirement

from .. import rules, selectors
from ..constants import (
    Actor,
    ClockPhase,
    CorrectionReason,
    DossierAction,
    DossierStatus,
    EventKind,
)
from ..models import (
    CorrectionRequest,
    Dossier,
)
from ._base import (
    _apply,
    _clean,
    _event,
    _lock,
    _move,
    _notify_ans,
    _notify_editor,
    _require_role,
)
from .candidature import _checklist_sync


def _proofs_sent(*, user: User, dossier: Dossier, action: DossierAction) -> tuple[str, DossierStatus]:
    actor, to_status = _move(dossier=dossier, user=user, action=action)
    rules.proofs_complete_check(selectors.proof_states(dossier=dossier))
    return actor, to_status


def proofs_submit(*, user: User, dossier: Dossier) -> Dossier:
    """Send the complete proof dossier: this date is the one the 120-day rule counts from.

    Sent straight from « éligible » (no separate start of phase 2): the REM may have been
    imported or completed since the dossier was opened. Its new requirements join the checklist
    first, in their own transaction, so that they stay on the page for the editor to fill when
    sending is refused for lack of their proofs.
    """
    if dossier.status in (DossierStatus.ELIGIBLE, DossierStatus.PROOFS_IN_PROGRESS):
        with transaction.atomic():
            _checklist_sync(_lock(dossier))
    return _proofs_submit(user=user, dossier=dossier)


@transaction.atomic
def _proofs_submit(*, user: User, dossier: Dossier) -> Dossier:
    dossier = _lock(dossier)
    actor, to_status = _proofs_sent(user=user, dossier=dossier, action=DossierAction.SUBMIT_PROOFS)
    today = clock.today()
    if dossier.proofs_complete_on is None:
        dossier.proofs_complete_on = today
    dossier.clock_phase = ClockPhase.INSTRUCTION
    dossier.clock_deadline = rules.phase_deadline(
        start=dossier.proofs_complete_on, budget_days=selectors.instruction_days()
    )
    _apply(
        dossier=dossier, user=user, actor=actor, action=DossierAction.SUBMIT_PROOFS,
        to_status=to_status, fields=["proofs_complete_on", "clock_phase", "clock_deadline"],
    )
    _notify_ans(
        NotificationKind.PROOFS_SUBMITTED,
        dossier,
        submitted_on=fr_date(today),
        deadline=fr_date(dossier.clock_deadline),
    )
    return dossier


@transaction.atomic
def review_start(*, user: User, dossier: Dossier) -> Dossier:
    dossier = _lock(dossier)
    actor, to_status = _move(dossier=dossier, user=user, action=DossierAction.START_REVIEW)
    _apply(dossier=dossier, user=user, actor=actor, action=DossierAction.START_REVIEW,
           to_status=to_status)
    return dossier


@transaction.atomic
def correction_request(
    *,
    user: User,
    dossier: Dossier,
    reason: str,
    message: str,
    requirements: Iterable[Requirement] = (),
) -> CorrectionRequest:
    """Ask the editor to correct the proofs; the instruction clock pauses until they resubmit."""
    dossier = _lock(dossier)
    actor, to_status = _move(dossier=dossier, user=user, action=DossierAction.REQUEST_CORRECTION)
    message = _clean(message)
    if reason not in CorrectionReason.values:
        raise InvalidInput("Choisissez le motif de la demande de correction.")
    if not message:
        raise InvalidInput("Rédigez le message à l'éditeur : il explique ce qu'il doit corriger.")
    requirements = list(requirements)
    foreign = [r.reference for r in requirements if r.dsr_id != dossier.dsr_id]
    if foreign:
        raise InvalidInput(
            "Ces exigences n'appartiennent pas au DSR du dossier : " + ", ".join(foreign) + "."
        )
    correction = CorrectionRequest.objects.create(
        dossier=dossier, reason=reason, message=message, opened_at=clock.now(), opened_by=user
    )
    correction.requirements.set(requirements)
    # While paused the deadline moves every day; the queue shows "en pause" instead.
    dossier.clock_deadline = None
    refs = ", ".join(r.reference for r in requirements)
    _apply(
        dossier=dossier, user=user, actor=actor, action=DossierAction.REQUEST_CORRECTION,
        to_status=to_status, fields=["clock_deadline"],
        comment=f"{CorrectionReason(reason).label}" + (f" ({refs})" if refs else "") + f" : {message}",
    )
    _notify_editor(
        NotificationKind.CORRECTION_REQUESTED,
        dossier,
        reason=str(CorrectionReason(reason).label) + (f" ({refs})" if refs else ""),
        details=message,
    )
    return correction


@transaction.atomic
def proofs_resubmit(*, user: User, dossier: Dossier) -> Dossier:
    dossier = _lock(dossier)
    actor, to_status = _proofs_sent(
        user=user, dossier=dossier, action=DossierAction.RESUBMIT_PROOFS
    )
    now = clock.now()
    dossier.corrections.filter(resolved_at__isnull=True).update(resolved_at=now)
    dossier.clock_deadline = rules.phase_deadline(
        start=dossier.proofs_complete_on or timezone.localdate(now),
        budget_days=selectors.instruction_days(),
        pauses=selectors.dossier_pauses(dossier=dossier),
    )
    _apply(
        dossier=dossier, user=user, actor=actor, action=DossierAction.RESUBMIT_PROOFS,
        to_status=to_status, fields=["clock_deadline"],
    )
    _notify_ans(
        NotificationKind.PROOFS_RESUBMITTED,
        dossier,
        deadline=fr_date(dossier.clock_deadline) if dossier.clock_deadline else "",
    )
    return dossier


@transaction.atomic
def referencing_grant(
    *, user: User, dossier: Dossier, referenced_on: date | None = None, comment: str = ""
) -> Dossier:
    """Grant the referencing: number, date, and the certificate PDF rendered after commit."""
    dossier = _lock(dossier)
    actor, to_status = _move(dossier=dossier, user=user, action=DossierAction.GRANT)
    rules.grant_check(selectors.proof_states(dossier=dossier))
    referenced_on = referenced_on or clock.today()
    if referenced_on > clock.today():
        raise InvalidInput("La date de référencement ne peut pas être dans le futur.")
    # Lock the DSR row: numbers are sequential per DSR and year, two grants must not race.
    Dsr.objects.select_for_update().filter(pk=dossier.dsr_id).first()
    prefix = f"{dossier.dsr.code}-{referenced_on.year:04d}-"
    existing = Dossier.objects.filter(referencing_number__startswith=prefix).values_list(
        "referencing_number", flat=True
    )
    sequence = rules.next_referencing_sequence(
        dsr_code=dossier.dsr.code, year=referenced_on.year, existing=existing
    )
    dossier.referencing_number = rules.referencing_number(
        dsr_code=dossier.dsr.code, year=referenced_on.year, sequence=sequence
    )
    dossier.referenced_on = referenced_on
    dossier.decided_at = clock.now()
    dossier.clock_phase = ClockPhase.NONE
    dossier.clock_deadline = None
    dossier.verification_token = dossier.verification_token or verification_token_new()
    try:
        with transaction.atomic():
            _apply(
                dossier=dossier, user=user, actor=actor, action=DossierAction.GRANT,
                to_status=to_status, comment=_clean(comment) or dossier.referencing_number,
                fields=["referencing_number", "referenced_on", "decided_at", "clock_phase",
                        "clock_deadline", "verification_token"],
            )
    except IntegrityError:
        raise DomainError(
            "Le numéro de référencement vient d'être attribué à un autre dossier : réessayez.",
            code="NUMBER_TAKEN",
        ) from None
    enqueue_on_commit("referencing.dossier_certificate_render", dossier.pk)
    _notify_editor(
        NotificationKind.REFERENCING_GRANTED,
        dossier,
        referenced_on=fr_date(referenced_on),
        referencing_number=dossier.referencing_number,
    )
    return dossier


@transaction.atomic
def referencing_refuse(*, user: User, dossier: Dossier, comment: str) -> Dossier:
    dossier = _lock(dossier)
    actor, to_status = _move(dossier=dossier, user=user, action=DossierAction.REFUSE)
    comment = _clean(comment)
    if not comment:
        raise InvalidInput("Indiquez le motif du refus : il est communiqué à l'éditeur.")
    dossier.decided_at = clock.now()
    dossier.clock_phase = ClockPhase.NONE
    dossier.clock_deadline = None
    _apply(
        dossier=dossier, user=user, actor=actor, action=DossierAction.REFUSE, to_status=to_status,
        comment=comment, fields=["decided_at", "clock_phase", "clock_deadline"],
    )
    _notify_editor(NotificationKind.REFERENCING_REFUSED, dossier, reason=comment)
    return dossier


def dossier_certificate_render(*, dossier_id: int) -> Dossier:
    """Render the referencing certificate PDF (from the task; idempotent: a dossier that has its
    certificate keeps it, and of two concurrent renders the first one stays)."""
    from segur_funding.core.pdf import pdf_render

    dossier = Dossier.objects.select_related(
        "editor", "dsr", "solution_version__solution"
    ).get(pk=dossier_id)
    if dossier.status != DossierStatus.REFERENCED:
        raise DomainError("Seul un dossier référencé a une attestation.", code="NOT_REFERENCED")
    if not dossier.verification_token:
        # Dossiers referenced before verification links existed get theirs now.
        Dossier.objects.filter(pk=dossier.pk, verification_token__isnull=True).update(
            verification_token=verification_token_new()
        )
        dossier.refresh_from_db(fields=["verification_token"])
    url = verification_url(dossier.verification_token)
    if dossier.certificate:
        return dossier
    pdf = pdf_render(
        template_name="referencing/certificate.html",
        context={
            "dossier": dossier,
            "generated_at": clock.now(),
            "verification_url": url,
            "verification_qr": qr_svg_data_uri(url),
        },
    )
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier_id)
        if locked.certificate:
            return locked
        locked.certificate.save(
            f"attestation-{dossier.referencing_number}.pdf", ContentFile(pdf), save=False
        )
        locked.save(update_fields=["certificate"])
    return locked


@transaction.atomic
def referencing_withdraw(
    *, user: User, dossier: Dossier, reason: str, withdrawn_on: date | None = None
) -> Dossier:
    """ANS withdraws a granted referencing: the certificate's public page says so from now on.

    The dossier keeps its status and number (quotes and payments made while it was referenced
    still point at them); `withdrawn_on` is what the public verification page reads.
    """
    dossier = _lock(dossier)
    _require_role(user=user, dossier=dossier, role=Actor.ANS, what="le retrait d'un référencement")
    if dossier.status != DossierStatus.REFERENCED:
        raise DomainError("Seul un référencement accordé peut être retiré.", code="NOT_REFERENCED")
    if dossier.withdrawn_on is not None:
        raise DomainError(
            f"Ce référencement a déjà été retiré le {fr_date(dossier.withdrawn_on)}.",
            code="ALREADY_WITHDRAWN",
        )
    reason = _clean(reason)
    if not reason:
        raise InvalidInput(
            "Indiquez le motif du retrait : il est affiché sur la page publique de l'attestation."
        )
    withdrawn_on = withdrawn_on or clock.today()
    if withdrawn_on > clock.today():
        raise InvalidInput("La date de retrait ne peut pas être dans le futur.")
    dossier.withdrawn_on = withdrawn_on
    dossier.withdrawal_reason = reason
    dossier.save(update_fields=["withdrawn_on", "withdrawal_reason"])
    _event(
        dossier=dossier,
        kind=EventKind.WITHDRAW,
        user=user,
        actor_role=Actor.ANS,
        from_status=dossier.status,
        comment=reason,
    )
    return dossier
