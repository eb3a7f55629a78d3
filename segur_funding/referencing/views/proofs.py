"""Proof files sent from the dossier page: several at once, all stored or none, and the
requirement each file name points to (proposed by the page's script before sending)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from segur_funding.core.errors import DomainError
from segur_funding.core.files import MAX_UPLOAD_BYTES, human_size

from .. import rules, services
from ..models import Dossier
from .dossiers import detail_context, user_dossier


def _wants_json(request: HttpRequest) -> bool:
    """The page's script sends the files with XHR and reads a JSON answer; a plain form (no
    JavaScript) gets the page back."""
    return request.headers.get("Accept", "").startswith("application/json")


def _posted_uploads(request: HttpRequest) -> list[services.ProofUpload]:
    """The files of the proofs form, each with the requirement the editor confirmed (the select
    `requirement_<n>` the script adds; none: read from the name) and whether it replaces."""
    uploads = []
    for index, upload in enumerate(request.FILES.getlist("files")):
        chosen = request.POST.get(f"requirement_{index}", "")
        try:
            proof_id = int(chosen) if chosen else None
        except ValueError:
            proof_id = -1  # refused by the service as a requirement of another dossier
        replace = request.POST.get(f"replace_{index}")
        uploads.append(
            services.ProofUpload(
                upload=upload,
                proof_id=proof_id,
                replace=None if replace is None else replace in ("1", "on"),
            )
        )
    return uploads


@login_required
@require_POST
def proofs_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Several proof files at once, all stored or none (see `services.proof_files_upload`)."""
    dossier = user_dossier(request, pk)
    # A body far above the largest accepted submission is refused without looking at it. (The
    # CSRF check may already have parsed it: the real bound is the web server's body size limit.)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > rules.MAX_SUBMISSION_BYTES + 1024 * 1024:
        error = (
            f"Envoi trop volumineux ({human_size(length)}) : "
            f"{human_size(rules.MAX_SUBMISSION_BYTES)} au maximum par envoi (une vidéo MP4 "
            f"jusqu'à {human_size(MAX_UPLOAD_BYTES)}, 20 Mo pour les autres types). Aucun "
            "fichier n'a été déposé."
        )
        return _upload_refused(request, dossier, error, [], parsed=False)
    uploads = _posted_uploads(request)
    try:
        stored = services.proof_files_upload(user=request.user, dossier=dossier, uploads=uploads)
    except services.ProofFilesRefused as exc:
        return _upload_refused(request, dossier, exc.message, exc.refusals)
    except DomainError as exc:
        return _upload_refused(request, dossier, exc.message, [])
    finally:
        # A large upload lives in a temporary file until closed: close it now, stored or not.
        for item in uploads:
            item.upload.close()
    names = ", ".join(
        f"« {f.original_name} » ({f.proof.requirement.reference})" for f in stored[:5]
    )
    more = f" et {len(stored) - 5} autre(s)" if len(stored) > 5 else ""
    messages.success(request, f"{len(stored)} fichier(s) déposé(s) : {names}{more}.")
    url = reverse("referencing:dossier_detail", args=[dossier.pk]) + "#preuves"
    if _wants_json(request):
        return JsonResponse({"ok": True, "redirect": url})
    return redirect(url)


def _upload_refused(
    request: HttpRequest,
    dossier: Dossier,
    error: str,
    refusals: list[services.FileRefusal],
    *,
    parsed: bool = True,
) -> HttpResponse:
    if parsed:
        for upload in request.FILES.getlist("files"):
            upload.close()
    if _wants_json(request):
        return JsonResponse(
            {
                "ok": False,
                "error": error,
                "files": [{"name": r.name, "message": r.message} for r in refusals],
            },
            status=400,
        )
    context = detail_context(dossier, upload_error=error, upload_refusals=refusals)
    return render(request, "referencing/dossier_detail.html", context, status=400)


@login_required
@require_POST
def proofs_match(request: HttpRequest, pk: int) -> HttpResponse:
    """The requirement each file name points to (field `nom`, repeated), for the page's script
    to propose before sending; the editor confirms or changes each one. (POST: thirty long
    names would not fit in the request line a web server accepts.)"""
    dossier = user_dossier(request, pk)
    proofs = {
        p.requirement.reference: p.pk for p in dossier.proofs.select_related("requirement")
    }
    names = request.POST.getlist("nom")[: rules.MAX_FILES_PER_SUBMISSION]
    matches = []
    for name in names:
        reference = rules.match_requirement(name[:300], list(proofs))
        matches.append({"name": name, "proof": proofs.get(reference) if reference else None})
    return JsonResponse({"matches": matches})
