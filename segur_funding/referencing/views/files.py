"""Downloads: a proof file (held back while infected or, for ANS, not yet scanned) and the
referencing certificate."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from segur_funding.core.files import KINDS_BY_CODE, private_file_response
from segur_funding.organizations.models import Membership
from segur_funding.organizations.selectors import is_ans_reviewer

from .. import selectors
from ..constants import ScanStatus


def _unavailable(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "referencing/file_unavailable.html", {"message": message}, status=403)


@login_required
@require_GET
def proof_file_download(request: HttpRequest, pk: int) -> HttpResponse:
    proof_file = selectors.proof_file_for_user(user=request.user, pk=pk)
    if proof_file is None:
        raise Http404("Fichier introuvable")
    if proof_file.scan_status == ScanStatus.INFECTED:
        return _unavailable(
            request, "Ce fichier a été détecté comme infecté par l'antivirus : il n'est pas "
            "téléchargeable. L'éditeur doit le remplacer.",
        )
    is_owner = Membership.objects.filter(
        user=request.user, organization_id=proof_file.proof.dossier.editor_id
    ).exists()
    if not is_owner and is_ans_reviewer(user=request.user) and not proof_file.reviewer_may_download:
        return _unavailable(
            request, "L'analyse antivirus de ce fichier n'est pas terminée : il sera "
            "téléchargeable dès qu'il aura été déclaré sain.",
        )
    kind = next(
        (k for k in KINDS_BY_CODE.values() if k.content_type == proof_file.content_type), None
    )
    inline = bool(request.GET.get("apercu")) and kind is not None and kind.previewable
    return private_file_response(
        proof_file.file,
        filename=proof_file.original_name,
        content_type=proof_file.content_type,
        inline=inline,
    )


@login_required
@require_GET
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = selectors.certificate_for_user(user=request.user, pk=pk)
    if dossier is None:
        raise Http404("Attestation introuvable")
    return private_file_response(
        dossier.certificate,
        filename=f"attestation-referencement-{dossier.referencing_number}.pdf",
        content_type="application/pdf",
        inline=False,
    )
