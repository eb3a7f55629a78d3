"""Reads of the referencing domain, every one scoped to what the user may see."""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from segur_funding.core import clock
from segur_funding.organizations.constants import OrganizationKind
from segur_funding.organizations.models import Organization, User
from segur_funding.organizations.selectors import is_ans_reviewer, user_editors
from segur_funding.referential.models import Dsr

from . import rules
from .constants import DossierStatus, ScanStatus
from .models import CorrectionRequest, Dossier, DossierEvent, Proof, ProofFile, Solution, SolutionVersion


def eligibility_days() -> int:
    return int(getattr(settings, "SEGUR_ELIGIBILITY_DAYS", rules.ELIGIBILITY_DAYS))


def instruction_days() -> int:
    return int(getattr(settings, "SEGUR_INSTRUCTION_DAYS", rules.INSTRUCTION_DAYS))


# --- Editors -------------------------------------------------------------------------------------


def user_solutions(*, user: User) -> QuerySet[Solution]:
    return (
        Solution.objects.filter(editor__in=user_editors(user=user))
        .select_related("editor")
        .prefetch_related(Prefetch("versions", queryset=SolutionVersion.objects.order_by("-created_at")))
        .order_by("name")
    )


def user_solution_versions(*, user: User) -> QuerySet[SolutionVersion]:
    return (
        SolutionVersion.objects.filter(solution__editor__in=user_editors(user=user))
        .select_related("solution", "solution__editor")
        .order_by("solution__name", "-created_at")
    )


def user_dossiers(*, user: User) -> QuerySet[Dossier]:
    """Dossiers of the editors the user is a member of (none for anyone else)."""
    return (
        Dossier.objects.filter(editor__in=user_editors(user=user))
        .select_related("editor", "dsr", "solution_version", "solution_version__solution")
        .prefetch_related("corrections")
        .order_by("-created_at")
    )


def dossier_pauses(*, dossier: Dossier) -> list[rules.Period]:
    """Correction periods as local dates (uses the prefetched `corrections` when present)."""
    return [
        rules.Period(
            start=timezone.localdate(c.opened_at),
            end=timezone.localdate(c.resolved_at) if c.resolved_at else None,
        )
        for c in dossier.corrections.all()
    ]


def dossier_clock(*, dossier: Dossier, today: date | None = None) -> rules.PhaseClock | None:
    return rules.phase_clock(
        status=dossier.status,
        today=today or clock.today(),
        candidature_submitted_on=(
            timezone.localdate(dossier.candidature_submitted_at)
            if dossier.candidature_submitted_at
            else None
        ),
        proofs_complete_on=dossier.proofs_complete_on,
        pauses=dossier_pauses(dossier=dossier),
        eligibility_days=eligibility_days(),
        instruction_days=instruction_days(),
    )


@dataclass(frozen=True)
class ChecklistRow:
    proof: Proof
    current_files: list[ProofFile]
    previous_files: list[ProofFile]

    @property
    def requirement(self):
        return self.proof.requirement


def dossier_checklist(*, dossier: Dossier) -> list[ChecklistRow]:
    """Every requirement of the dossier's checklist with its proof and files (two queries)."""
    proofs = (
        Proof.objects.filter(dossier=dossier)
        .select_related("requirement")
        .prefetch_related(
            Prefetch("files", queryset=ProofFile.objects.order_by("-uploaded_at", "-id"))
        )
        .order_by("requirement__position", "requirement__reference")
    )
    rows = []
    for proof in proofs:
        files = list(proof.files.all())
        rows.append(
            ChecklistRow(
                proof=proof,
                current_files=[f for f in files if f.is_current],
                previous_files=[f for f in files if not f.is_current],
            )
        )
    return rows


def checklist_states(checklist: list[ChecklistRow]) -> list[rules.ProofState]:
    """The rows of the page's checklist as plain values for `rules` (same count as
    `proof_states`: an infected file does not count as a proof)."""
    return [
        rules.ProofState(
            reference=row.requirement.reference,
            mandatory=row.requirement.mandatory,
            current_files=sum(1 for f in row.current_files if f.scan_status != ScanStatus.INFECTED),
            status=row.proof.status,
        )
        for row in checklist
    ]


def dossier_events(*, dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.select_related("actor").order_by("created_at", "id")


def dossier_open_corrections(*, dossier: Dossier) -> QuerySet[CorrectionRequest]:
    return (
        dossier.corrections.filter(resolved_at__isnull=True)
        .prefetch_related("requirements")
        .order_by("-opened_at")
    )


def dossier_corrections_shown() -> QuerySet[CorrectionRequest]:
    """The corrections as the dossier's admin page shows them (with who opened them, their
    requirements): to read them with the dossier, `Prefetch("corrections", <this>)`."""
    return CorrectionRequest.objects.prefetch_related("requirements").select_related("opened_by")


def dossier_corrections(*, dossier: Dossier) -> QuerySet[CorrectionRequest]:
    """The dossier's corrections: those read with it (`dossier_corrections_shown`) if it was."""
    prefetched = getattr(dossier, "_prefetched_objects_cache", {}).get("corrections")
    if prefetched is not None:
        return prefetched
    return dossier.corrections.prefetch_related("requirements").select_related("opened_by")


def proof_states(*, dossier: Dossier) -> list[rules.ProofState]:
    """The checklist as plain values for `rules.proofs_complete_check`.

    An infected file does not count as a proof: the editor must replace it.
    """
    rows = (
        Proof.objects.filter(dossier=dossier)
        .select_related("requirement")
        .annotate(
            usable_files=Count(
                "files",
                filter=Q(files__is_current=True) & ~Q(files__scan_status=ScanStatus.INFECTED),
            )
        )
        .order_by("requirement__position", "requirement__reference")
    )
    return [
        rules.ProofState(
            reference=p.requirement.reference,
            mandatory=p.requirement.mandatory,
            current_files=p.usable_files,
            status=p.status,
        )
        for p in rows
    ]


# --- Files ---------------------------------------------------------------------------------------


def proof_file_for_user(*, user: User, pk: int) -> ProofFile | None:
    """A proof file the user may fetch: members of the owning editor, ANS reviewers. Else None."""
    if not user.is_authenticated:
        return None
    qs = ProofFile.objects.select_related("proof__dossier", "proof__requirement")
    if not is_ans_reviewer(user=user):
        qs = qs.filter(proof__dossier__editor__in=user_editors(user=user))
    return qs.filter(pk=pk).first()


def certificate_for_user(*, user: User, pk: int) -> Dossier | None:
    if not user.is_authenticated:
        return None
    qs = Dossier.objects.filter(status=DossierStatus.REFERENCED).exclude(certificate="")
    if not is_ans_reviewer(user=user):
        qs = qs.filter(editor__in=user_editors(user=user))
    return qs.select_related("dsr", "solution_version__solution", "editor").filter(pk=pk).first()


# --- Public --------------------------------------------------------------------------------------


def referenced_dossiers(
    *, dsr_code: str | None = None, editor_id: int | None = None
) -> QuerySet[Dossier]:
    """Referenced solutions, public: editor, solution, version, DSR, date and number (a
    withdrawn referencing is no longer listed; its certificate's page says it was withdrawn)."""
    qs = Dossier.objects.filter(status=DossierStatus.REFERENCED, withdrawn_on__isnull=True).select_related(
        "editor", "dsr", "solution_version", "solution_version__solution"
    )
    if dsr_code:
        qs = qs.filter(dsr__code=dsr_code)
    if editor_id:
        qs = qs.filter(editor_id=editor_id)
    return qs.order_by("dsr__code", "editor__name", "solution_version__solution__name", "-referenced_on")


def referenced_editors() -> QuerySet[Organization]:
    return Organization.objects.filter(
        kind=OrganizationKind.EDITOR, dossiers__status=DossierStatus.REFERENCED
    ).distinct().order_by("name")


def dsrs_for_filter() -> QuerySet[Dsr]:
    return Dsr.objects.order_by("code")


# --- Rows waiting for a task (the sweep of tasks.py queues them again) -------------------------


def proof_files_waiting_for_scan(*, before: datetime, limit: int) -> list[int]:
    """Files uploaded before `before` and still waiting for their virus scan."""
    return list(
        ProofFile.objects.filter(scan_status=ScanStatus.PENDING, uploaded_at__lt=before)
        .order_by("uploaded_at")
        .values_list("pk", flat=True)[:limit]
    )


def dossiers_waiting_for_certificate(*, before: datetime, limit: int) -> list[int]:
    """Referenced dossiers, decided before `before`, whose certificate PDF was never rendered."""
    return list(
        Dossier.objects.filter(status=DossierStatus.REFERENCED, certificate="", decided_at__lt=before)
        .order_by("decided_at")
        .values_list("pk", flat=True)[:limit]
    )


def certificate_by_verification_token(*, token: str) -> Dossier | None:
    """The referenced dossier whose certificate prints this verification token (public page:
    number, holder, date and status only)."""
    return (
        Dossier.objects.filter(verification_token=token, referencing_number__isnull=False)
        .select_related("editor", "dsr", "solution_version__solution")
        .first()
    )
