"""Proof files (upload, virus scan) and their review by ANS."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile

from segur_funding.core import antivirus, clock
from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.core.files import (
    CheckedUpload,
    human_size,
    safe_filename,
    upload_check,
)
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
    item = _Checked(proof_id=proof.pk, upload=upload, checked=checked, replace=False)
    return _proof_files_store(
        user=user, dossier=proof.dossier, items=[item], replaces={proof.pk: replaces}
    )[0]


@dataclass(frozen=True, slots=True)
class ProofUpload:
    """One file of a submission of the proofs page.

    `proof_id` None: the requirement is read from the file name. `replace` None: the file
    replaces the current files of a proof ANS rejected, and adds to the others.
    """

    upload: UploadedFile
    proof_id: int | None = None
    replace: bool | None = None


@dataclass(frozen=True, slots=True)
class FileRefusal:
    name: str
    message: str


class ProofFilesRefused(DomainError):
    """Some files of a submission are refused: none of them is stored (all or nothing)."""

    code = "FILES_REFUSED"

    def __init__(self, refusals: list[FileRefusal]) -> None:
        self.refusals = refusals
        count = len(refusals)
        super().__init__(
            f"Aucun fichier n'a été déposé : {count} fichier(s) sur l'envoi ne peuvent pas "
            "l'être. Corrigez-les (ou retirez-les de l'envoi) puis envoyez à nouveau."
        )


@dataclass(frozen=True, slots=True)
class _Checked:
    proof_id: int
    upload: UploadedFile
    checked: CheckedUpload
    replace: bool | None


def proof_files_upload(
    *, user: User, dossier: Dossier, uploads: Sequence[ProofUpload]
) -> list[ProofFile]:
    """Store several proof files at once, each for the requirement chosen or read from its name.

    All or nothing: every file is checked first (requirement, type, size, archive safety) and a
    single refused file refuses the submission with the reason for each one (ProofFilesRefused);
    then every file is stored in one transaction, and a failure there removes the files already
    written. Checking runs outside the transaction, as for one file.
    """
    _require_role(user=user, dossier=dossier, role=Actor.EDITOR, what="le dépôt d'une preuve")
    rules.upload_check(dossier.status)
    if not uploads:
        raise InvalidInput("Choisissez au moins un fichier à déposer.")
    if len(uploads) > rules.MAX_FILES_PER_SUBMISSION:
        raise InvalidInput(
            f"Trop de fichiers en un envoi ({len(uploads)}) : "
            f"{rules.MAX_FILES_PER_SUBMISSION} au maximum. Envoyez-les en plusieurs fois."
        )
    total = sum(u.upload.size or 0 for u in uploads)
    if total > rules.MAX_SUBMISSION_BYTES:
        raise InvalidInput(
            f"Envoi trop volumineux ({human_size(total)} au total) : "
            f"{human_size(rules.MAX_SUBMISSION_BYTES)} au maximum par envoi. Envoyez les "
            "vidéos séparément."
        )
    proofs = {p.pk: p for p in dossier.proofs.select_related("requirement")}
    by_reference = {p.requirement.reference: p.pk for p in proofs.values()}
    refusals: list[FileRefusal] = []
    checked: list[_Checked] = []
    for item in uploads:
        name = safe_filename(item.upload.name or "")
        if item.proof_id is None:
            reference = rules.match_requirement(name, list(by_reference))
            proof_id = by_reference.get(reference) if reference else None
            if proof_id is None:
                refusals.append(FileRefusal(name, (
                    "aucune exigence n'est reconnue dans le nom du fichier (ou plusieurs le "
                    "sont). Choisissez l'exigence, ou renommez le fichier avec sa référence, "
                    f"par exemple « {_example_name(by_reference)} »."
                )))
                continue
        elif item.proof_id in proofs:
            proof_id = item.proof_id
        else:
            refusals.append(FileRefusal(name, "l'exigence choisie n'existe pas dans ce dossier."))
            continue
        try:
            result = upload_check(item.upload, name=item.upload.name or "", size=item.upload.size or 0)
        except InvalidInput as exc:
            refusals.append(FileRefusal(name, exc.message))
            continue
        checked.append(_Checked(proof_id, item.upload, result, item.replace))
    if refusals:
        raise ProofFilesRefused(refusals)
    return _proof_files_store(user=user, dossier=dossier, items=checked, replaces=None)


def _example_name(by_reference: dict[str, int]) -> str:
    first = next(iter(by_reference), "EX-01")
    return f"{first.replace('/', '-')} capture.pdf"


@transaction.atomic
def _proof_files_store(
    *,
    user: User,
    dossier: Dossier,
    items: Sequence[_Checked],
    replaces: dict[int, ProofFile | None] | None,
) -> list[ProofFile]:
    """Store checked files under the dossier's lock; if anything fails after files reached the
    storage, they are removed.

    `replaces`: for one file (the API), the file it replaces; None: each item's `replace`
    decides, and a replacing file supersedes every file of its proof that was current before
    this submission.
    """
    dossier = _lock(dossier)
    proof_ids = {i.proof_id for i in items}
    proofs = {
        p.pk: p
        for p in Proof.objects.select_for_update().select_related("requirement").filter(
            pk__in=proof_ids, dossier=dossier
        )
    }
    superseded: dict[int, list[ProofFile]] = {}
    if replaces is not None:
        for proof_id, old in replaces.items():
            if old is not None:
                # Re-read under the lock: a concurrent upload may have replaced it meanwhile.
                old = ProofFile.objects.select_for_update().get(pk=old.pk)
            _upload_allowed(user=user, dossier=dossier, proof=proofs[proof_id], replaces=old)
            superseded[proof_id] = [old] if old is not None else []
    else:
        _require_role(user=user, dossier=dossier, role=Actor.EDITOR, what="le dépôt d'une preuve")
        rules.upload_check(dossier.status)
        current = ProofFile.objects.select_for_update().filter(
            proof_id__in=proof_ids, is_current=True
        )
        for old in current:
            superseded.setdefault(old.proof_id, []).append(old)
        rejected = {pk for pk, p in proofs.items() if p.status == ProofStatus.REJECTED}
        replacing = {
            i.proof_id for i in items if (i.replace if i.replace is not None else i.proof_id in rejected)
        }
        superseded = {pk: files for pk, files in superseded.items() if pk in replacing}
    scanner = antivirus.scanner_configured()
    stored: list[FieldFile] = []
    created: list[ProofFile] = []
    try:
        for item in items:
            proof = proofs[item.proof_id]
            created.append(
                _proof_file_store_one(
                    user=user,
                    dossier=dossier,
                    proof=proof,
                    item=item,
                    # Only the first new file of a proof replaces: the next ones add to it.
                    replaces=superseded.pop(proof.pk, []),
                    scanner=scanner,
                    stored=stored,
                )
            )
    except BaseException:
        for field in stored:
            field.storage.delete(field.name)
        raise
    # Django has no on-rollback hook: an outer transaction rolled back later would leave the files
    # behind; services are the outermost transaction in every door, so this does not happen.
    if scanner:
        for proof_file in created:
            enqueue_on_commit("referencing.proof_file_scan", proof_file.pk)
    return created


def _proof_file_store_one(
    *,
    user: User,
    dossier: Dossier,
    proof: Proof,
    item: _Checked,
    replaces: list[ProofFile],
    scanner: bool,
    stored: list[FieldFile],
) -> ProofFile:
    checked = item.checked
    proof_file = ProofFile(
        proof=proof,
        original_name=checked.original_name,
        content_type=checked.kind.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
        scan_status=ScanStatus.PENDING if scanner else ScanStatus.NOT_SCANNED,
    )
    item.upload.seek(0)
    proof_file.file.save(f"preuve{checked.kind.extensions[0]}", item.upload, save=False)
    stored.append(proof_file.file)
    proof_file.save()
    for old in replaces:
        old.is_current = False
        old.superseded_by = proof_file
        old.save(update_fields=["is_current", "superseded_by"])
    # A new file is new evidence: the previous review no longer applies to it.
    proof.status = ProofStatus.SUBMITTED
    proof.reviewer_comment = ""
    proof.reviewed_at = None
    proof.reviewed_by = None
    proof.save(update_fields=["status", "reviewer_comment", "reviewed_at", "reviewed_by"])
    if replaces:
        verb = "remplace " + ", ".join(f"« {old.original_name} »" for old in replaces)
    else:
        verb = "ajout"
    _event(
        dossier=dossier,
        kind=EventKind.PROOF_UPLOAD,
        user=user,
        actor_role=Actor.EDITOR,
        from_status=dossier.status,
        comment=f"{proof.requirement.reference} : « {checked.original_name} » ({verb}), "
        f"SHA-256 {checked.sha256[:16]}…",
    )
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
