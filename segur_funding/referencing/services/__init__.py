"""Writes of the referencing domain.

Each public function owns one whole state change: it locks the dossier, asks `rules` whether the
move is allowed (for this user's role, from this status), writes the rows and the history row in
one transaction, and schedules what follows (notification, PDF, virus scan) on commit. Every
refusal is a DomainError with a French message, raised before anything is written.

Notifications are outbox rows written by `_base._notify_ans` / `_base._notify_editor` inside
the same transaction as the move (the kinds are the one list of `notifications.constants`).
"""

from .candidature import (
    CANDIDATURE_FIELDS,
    candidature_submit,
    candidature_update,
    dossier_create,
    eligibility_decide,
    proofs_start,
)
from .instruction import (
    correction_request,
    dossier_certificate_render,
    proofs_resubmit,
    proofs_submit,
    referencing_grant,
    referencing_refuse,
    referencing_withdraw,
    review_start,
)
from .proofs import (
    FileRefusal,
    ProofFilesRefused,
    ProofUpload,
    proof_file_scan,
    proof_file_upload,
    proof_files_upload,
    proof_review,
    proofs_accept_submitted,
)
from .solutions import solution_create, solution_version_create

__all__ = [
    "CANDIDATURE_FIELDS",
    "FileRefusal",
    "ProofFilesRefused",
    "ProofUpload",
    "candidature_submit",
    "candidature_update",
    "correction_request",
    "dossier_certificate_render",
    "dossier_create",
    "eligibility_decide",
    "proof_file_scan",
    "proof_file_upload",
    "proof_files_upload",
    "proof_review",
    "proofs_accept_submitted",
    "proofs_resubmit",
    "proofs_start",
    "proofs_submit",
    "referencing_grant",
    "referencing_refuse",
    "referencing_withdraw",
    "review_start",
    "solution_create",
    "solution_version_create",
]
