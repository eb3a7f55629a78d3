"""Proof files (upload, virus scan) and their review by ANS."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from segur_funding.core import antivirus, clock
from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.core.files import CheckedUpload, upload_check
from segur_funding.core.tasks import enqueue_on_commit
from segur_funding.notifications.constants import NotificationKind
from segur_funding.organizations.models import User

from .. import rules
from ..constants import (
    Actor,
    EventKind,
    ProofStatus,
    ScanStatus,
)
from ..models import (
    Dossier,
    Proof,
    ProofFile,
)
from ._base import (
    _clean,
    _event,
    _lock,
    _notify_editor,
    _require_role,
    logger,
)


def _upload_allowed(*, user: User, dossier: Dossier, proof: Proof, replaces: ProofFile | None) -> None:
    _require_role(user=user, dossier=dossier, role=Actor.EDITOR, what="le dépôt d'une preuve")
    rules.upload_check(dossier.status)
    if replaces is not None and not (replaces.proof_id == proof.pk and replaces.is_current):
        raise DomainError(
            "Le fichier à remplacer n'est pas un fichier en vigueur de cette preuve.",
            code="BAD_REPLACEMENT",
        )


def proof_file_upload(
    *,
    user: User,
    proof: Proof,
    upload: UploadedFile,
    replaces: ProofFile | None = None,
) -> ProofFile:
    """Add a file to a proof (or replace one of its current files, which is kept as history).

    The file is checked (type from the content, size, archive safety) before anything is written
    and outside the transaction: expanding a large archive must not hold the dossier's lock. The
    checks on the dossier run again under the lock.
    """
    _upload_allowed(user=user, dossier=proof.dossier, proof=proof, replaces=replaces)
    checked = upload_check(upload, name=upload.name or "", size=upload.size or 0)
    return _proof_file_store(
        user=user, proof=proof, upload=upload, checked=checked, replaces=replaces
    )


@transaction.atomic
def _proof_file_store(
    *,
    user: User,
    proof: Proof,
    upload: UploadedFile,
    checked: CheckedUpload,
    replaces: ProofFile | None,
) -> ProofFile:
    """Store a checked file; if the transaction fails after the file reached the storage, the
    file is removed."""
    dossier = _lock(proof.dossier)
    proof = Proof.objects.select_for_update().select_related("requirement").get(pk=proof.pk)
    if replaces is not None:
        # Re-read under the lock: a concurrent upload may have replaced it meanwhile.
        replaces = ProofFile.objects.select_for_update().get(pk=replaces.pk)
    _upload_allowed(user=user, dossier=dossier, proof=proof, replaces=replaces)

    scanner = antivirus.scanner_configured()
    proof_file = ProofFile(
        proof=proof,
        original_name=checked.original_name,
        content_type=checked.kind.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
        scan_status=ScanStatus.PENDING if scanner else ScanStatus.NOT_SCANNED,
    )
    upload.seek(0)
    proof_file.file.save(f"preuve{checked.kind.extensions[0]}", upload, save=False)
    stored_name = proof_file.file.name
    try:
        proof_file.save()
        if replaces is not None:
            replaces.is_current = False
            replaces.superseded_by = proof_file
            replaces.save(update_fields=["is_current", "superseded_by"])
        # A new file is new evidence: the previous review no longer applies to it.
        proof.status = ProofStatus.SUBMITTED
        proof.reviewer_comment = ""
        proof.reviewed_at = None
        proof.reviewed_by = None
        proof.save(update_fields=["status", "reviewer_comment", "reviewed_at", "reviewed_by"])
        verb = f"remplace « {replaces.original_name} »" if replaces is not None else "ajout"
        _event(
            dossier=dossier,
            kind=EventKind.PROOF_UPLOAD,
            user=user,
            actor_role=Actor.EDITOR,
            from_status=dossier.status,
            comment=f"{proof.requirement.reference} : « {checked.original_name} » ({verb}), "
            f"SHA-256 {checked.sha256[:16]}…",
        )
    except BaseException:
        proof_file.file.storage.delete(stored_name)
        raise
    # Django has no on-rollback hook: an outer transaction rolled back later would leave the file
    # behind; services are the outermost transaction in every door, so this does not happen.
    if scanner:
        enqueue_on_commit("referencing.proof_file_scan", proof_file.pk)
    return proof_file


def proof_file_scan(*, proof_file_id: int) -> ProofFile:
    """Run the virus scan of one file (from the task; idempotent: a scanned file keeps its first
    verdict). ScannerUnavailable: try again later."""
    proof_file = ProofFile.objects.select_related("proof__dossier").get(pk=proof_file_id)
    if proof_file.scan_status not in (ScanStatus.PENDING, ScanStatus.NOT_SCANNED):
        return proof_file
    with proof_file.file.open("rb") as fh:
        result = antivirus.scan_stream(fh)
    with transaction.atomic():
        proof_file = ProofFile.objects.select_for_update().get(pk=proof_file_id)
        if proof_file.scan_status not in (ScanStatus.PENDING, ScanStatus.NOT_SCANNED):
            return proof_file  # a concurrent replay of the task recorded its verdict first
        proof_file.scan_status = ScanStatus.CLEAN if result.clean else ScanStatus.INFECTED
        proof_file.scan_detail = result.detail[:200]
        proof_file.scanned_at = clock.now()
        proof_file.save(update_fields=["scan_status", "scan_detail", "scanned_at"])
        if not result.clean:
            logger.warning("Proof file %s infected: %s", proof_file_id, result.detail)
            dossier = Dossier.objects.select_related(
                "dsr", "editor", "solution_version__solution"
            ).get(pk=proof_file.proof.dossier_id)
            # Keyed on the file: a scan task delivered twice (acks_late) tells the editor once.
            _notify_editor(
                NotificationKind.PROOF_FILE_INFECTED,
                dossier,
                file_name=proof_file.original_name,
                requirement=proof_file.proof.requirement.reference,
                dedup_key=f"proof_file_infected:{proof_file.pk}",
            )
    return proof_file


@transaction.atomic
def proof_review(*, user: User, proof: Proof, accepted: bool, comment: str = "") -> Proof:
    dossier = _lock(proof.dossier)
    proof = Proof.objects.select_for_update().select_related("requirement").get(pk=proof.pk)
    _require_role(user=user, dossier=dossier, role=Actor.ANS, what="la revue des preuves")
    rules.proof_review_check(dossier.status)
    comment = _clean(comment)
    ref = proof.requirement.reference
    if not accepted and not comment:
        raise InvalidInput(f"Indiquez à l'éditeur pourquoi la preuve {ref} est rejetée.")
    current = list(proof.files.filter(is_current=True))
    if accepted:
        if not current:
            raise DomainError(
                f"La preuve {ref} n'a aucun fichier : elle ne peut pas être acceptée.",
                code="NO_FILE",
            )
        unsafe = [f for f in current if f.scan_status in (ScanStatus.PENDING, ScanStatus.INFECTED)]
        if unsafe:
            raise DomainError(
                f"La preuve {ref} ne peut pas être acceptée : un fichier est "
                f"« {unsafe[0].get_scan_status_display().lower()} ».",
                code="FILE_NOT_CLEAN",
            )
    proof.status = ProofStatus.ACCEPTED if accepted else ProofStatus.REJECTED
    proof.reviewer_comment = comment
    proof.reviewed_at = clock.now()
    proof.reviewed_by = user
    proof.save(update_fields=["status", "reviewer_comment", "reviewed_at", "reviewed_by"])
    _event(
        dossier=dossier,
        kind=EventKind.PROOF_ACCEPT if accepted else EventKind.PROOF_REJECT,
        user=user,
        actor_role=Actor.ANS,
        from_status=dossier.status,
        comment=f"{ref}" + (f" : {comment}" if comment else ""),
    )
    return proof


@transaction.atomic
def proofs_accept_submitted(*, user: User, dossier: Dossier) -> int:
    """Accept, in one go, every proof whose files were submitted and not reviewed yet."""
    dossier = _lock(dossier)
    _require_role(user=user, dossier=dossier, role=Actor.ANS, what="la revue des preuves")
    rules.proof_review_check(dossier.status)
    count = 0
    for proof in dossier.proofs.filter(status=ProofStatus.SUBMITTED).select_related("dossier"):
        proof_review(user=user, proof=proof, accepted=True)
        count += 1
    return count
