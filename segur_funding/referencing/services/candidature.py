"""Opening a dossier and phase 1: the candidature and the eligibility decision; start of phase 2."""


from django.db import transaction
from django.utils import timezone

from segur_funding.core import clock
from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.notifications.constants import NotificationKind
from segur_funding.notifications.rules import fr_date
from segur_funding.organizations.models import User
from segur_funding.referential.models import Dsr, Requirement

from .. import rules, selectors
from ..constants import (
    Actor,
    ClockPhase,
    DossierAction,
    DossierStatus,
    EventKind,
)
from ..models import (
    REOPENABLE_STATUSES,
    Dossier,
    Proof,
    SolutionVersion,
)
from ._base import (
    _apply,
    _clean,
    _event,
    _lock,
    _move,
    _notify_ans,
    _notify_editor,
    _require_editor_member,
    _require_role,
)


def _checklist_sync(dossier: Dossier) -> int:
    """Add a proof row for each requirement of the DSR's REM the dossier does not have yet."""
    have = set(dossier.proofs.values_list("requirement_id", flat=True))
    missing = Requirement.objects.filter(dsr_id=dossier.dsr_id).exclude(pk__in=have)
    created = Proof.objects.bulk_create([Proof(dossier=dossier, requirement=r) for r in missing])
    return len(created)


@transaction.atomic
def dossier_create(
    *,
    user: User,
    solution_version: SolutionVersion,
    dsr: Dsr,
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    referencing_profile: str = "",
    candidature_note: str = "",
    honour_declaration: bool = False,
) -> Dossier:
    """Open a draft dossier for one version of a solution and one DSR, with its checklist."""
    editor_id = solution_version.solution.editor_id
    _require_editor_member(user=user, editor_id=editor_id)
    if (
        Dossier.objects.filter(solution_version=solution_version, dsr=dsr)
        .exclude(status__in=REOPENABLE_STATUSES)
        .exists()
    ):
        raise DomainError(
            f"Un dossier est déjà ouvert pour {solution_version} sur le DSR {dsr.code}.",
            code="DUPLICATE_DOSSIER",
        )
    dossier = Dossier.objects.create(
        editor_id=editor_id,
        solution_version=solution_version,
        dsr=dsr,
        created_by=user,
        contact_name=_clean(contact_name),
        contact_email=_clean(contact_email),
        contact_phone=_clean(contact_phone),
        referencing_profile=_clean(referencing_profile),
        candidature_note=_clean(candidature_note),
        honour_declaration=honour_declaration,
    )
    _checklist_sync(dossier)
    _event(
        dossier=dossier,
        kind=EventKind.DOSSIER_CREATE,
        user=user,
        actor_role=Actor.EDITOR,
        from_status=DossierStatus.DRAFT,
    )
    return dossier


CANDIDATURE_FIELDS = (
    "contact_name",
    "contact_email",
    "contact_phone",
    "referencing_profile",
    "candidature_note",
    "honour_declaration",
)


@transaction.atomic
def candidature_update(*, user: User, dossier: Dossier, **fields: object) -> Dossier:
    dossier = _lock(dossier)
    _require_role(user=user, dossier=dossier, role=Actor.EDITOR, what="la modification de la candidature")
    if dossier.status not in rules.CANDIDATURE_EDITABLE_STATUSES:
        raise DomainError(
            "La candidature a été déposée : elle ne peut plus être modifiée.",
            code="CANDIDATURE_FROZEN",
        )
    unknown = set(fields) - set(CANDIDATURE_FIELDS)
    if unknown:
        raise ValueError(f"unknown candidature fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(dossier, name, _clean(value) if isinstance(value, str) else bool(value))
    dossier.save(update_fields=list(fields))
    return dossier


def _candidature_missing(dossier: Dossier) -> list[str]:
    missing = []
    if not dossier.contact_name:
        missing.append("le contact référencement")
    if not dossier.contact_email:
        missing.append("l'e-mail du contact")
    if not _clean(dossier.solution_version.obsolete_versions):
        missing.append("la déclaration des versions obsolètes")
    if not dossier.honour_declaration:
        missing.append("la déclaration sur l'honneur")
    return missing


@transaction.atomic
def candidature_submit(*, user: User, dossier: Dossier) -> Dossier:
    dossier = _lock(dossier)
    actor, to_status = _move(dossier=dossier, user=user, action=DossierAction.SUBMIT_CANDIDATURE)
    missing = _candidature_missing(dossier)
    if missing:
        raise DomainError(
            "Candidature incomplète : renseignez " + ", ".join(missing) + ".",
            code="INCOMPLETE_CANDIDATURE",
        )
    now = clock.now()
    dossier.candidature_submitted_at = now
    dossier.clock_phase = ClockPhase.ELIGIBILITY
    dossier.clock_deadline = rules.phase_deadline(
        start=timezone.localdate(now), budget_days=selectors.eligibility_days()
    )
    _apply(
        dossier=dossier,
        user=user,
        actor=actor,
        action=DossierAction.SUBMIT_CANDIDATURE,
        to_status=to_status,
        fields=["candidature_submitted_at", "clock_phase", "clock_deadline"],
    )
    _notify_ans(
        NotificationKind.CANDIDATURE_RECEIVED,
        dossier,
        submitted_on=fr_date(timezone.localdate(now)),
        deadline=fr_date(dossier.clock_deadline),
    )
    return dossier


@transaction.atomic
def eligibility_decide(
    *, user: User, dossier: Dossier, eligible: bool, comment: str = ""
) -> Dossier:
    dossier = _lock(dossier)
    action = DossierAction.DECLARE_ELIGIBLE if eligible else DossierAction.DECLARE_INELIGIBLE
    actor, to_status = _move(dossier=dossier, user=user, action=action)
    comment = _clean(comment)
    if not eligible and not comment:
        raise InvalidInput("Indiquez le motif de non-éligibilité : il est communiqué à l'éditeur.")
    now = clock.now()
    dossier.eligibility_decided_at = now
    dossier.clock_phase = ClockPhase.NONE
    dossier.clock_deadline = None
    fields = ["eligibility_decided_at", "clock_phase", "clock_deadline"]
    if not eligible:
        dossier.decided_at = now
        fields.append("decided_at")
    else:
        # Phase 2 opens: requirements published since the dossier was opened join its checklist.
        _checklist_sync(dossier)
    _apply(
        dossier=dossier, user=user, actor=actor, action=action, to_status=to_status,
        comment=comment, fields=fields,
    )
    _notify_editor(NotificationKind.ELIGIBILITY_DECIDED, dossier, eligible=eligible, reason=comment)
    return dossier


# --- Proofs (phase 2) ---------------------------------------------------------------------------


@transaction.atomic
def proofs_start(*, user: User, dossier: Dossier) -> Dossier:
    dossier = _lock(dossier)
    actor, to_status = _move(dossier=dossier, user=user, action=DossierAction.START_PROOFS)
    # The REM may have been imported or completed since the dossier was opened.
    _checklist_sync(dossier)
    if not dossier.proofs.exists():
        raise DomainError(
            f"Le dépôt des preuves ne peut pas commencer : le REM du DSR {dossier.dsr.code} n'a "
            "pas encore été publié dans l'application. Contactez l'ANS.",
            code="EMPTY_CHECKLIST",
        )
    _apply(dossier=dossier, user=user, actor=actor, action=DossierAction.START_PROOFS,
           to_status=to_status)
    return dossier
