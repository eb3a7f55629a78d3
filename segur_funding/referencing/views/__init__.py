"""Web pages of referencing: the editor's solutions and dossiers (the dossier with its checklist
and proofs), the files, and the public list of referenced solutions.

Every fetch goes through a selector scoped to the user's editors: another editor's dossier or file
is a 404, exactly like one that does not exist. Writes call services; a DomainError becomes a
message (or a field error) in French.

- `solutions`: « Mes solutions », a solution or a version declared;
- `dossiers`: « Mes dossiers », a dossier opened, its page, the candidature, the editor's moves;
- `proofs`: proof files sent from the dossier page, and the requirement each name points to;
- `files`: a proof file or the referencing certificate downloaded;
- `public`: the public list of referenced solutions.
"""

from .dossiers import candidature_edit, dossier_action, dossier_create, dossier_detail, dossier_list
from .files import certificate_download, proof_file_download
from .proofs import proofs_match, proofs_upload
from .public import public_list
from .solutions import solution_list, solution_version_add

__all__ = [
    "candidature_edit",
    "certificate_download",
    "dossier_action",
    "dossier_create",
    "dossier_detail",
    "dossier_list",
    "proof_file_download",
    "proofs_match",
    "proofs_upload",
    "public_list",
    "solution_list",
    "solution_version_add",
]
