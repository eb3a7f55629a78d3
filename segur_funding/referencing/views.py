"""Editor pages (Mes solutions, Mes dossiers, the dossier with its checklist), files, public list.

Every fetch goes through a selector scoped to the user's editors: another editor's dossier or file
is a 404, exactly like one that does not exist. Writes call services; a DomainError becomes a
message (or a field error) in French.
"""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from segur_funding.core.errors import DomainError
from segur_funding.core.files import (
    KINDS_BY_CODE,
    MAX_UPLOAD_BYTES,
    PROOF_KINDS,
    human_size,
    private_file_response,
)
from segur_funding.organizations.models import Membership
from segur_funding.organizations.selectors import is_ans_reviewer, user_editors

from . import rules, selectors, services
from .constants import Actor, DossierAction, ScanStatus
from .forms import (
    CandidatureForm,
    DossierCreateForm,
    SolutionCreateForm,
    SolutionVersionForm,
)
from .models import Dossier

# What the editor is told after each move it makes from the dossier page.
EDITOR_ACTIONS = {
    DossierAction.SUBMIT_CANDIDATURE: (
        services.candidature_submit,
        "Votre candidature a été déposée. L'ANS statue sur son éligibilité sous une semaine "
        "environ.",
    ),
    DossierAction.SUBMIT_PROOFS: (
        services.proofs_submit,
        "Vos preuves ont été déposées : le dossier est complet, l'ANS va l'instruire.",
    ),
    DossierAction.RESUBMIT_PROOFS: (
        services.proofs_resubmit,
        "Vos preuves corrigées ont été déposées : l'ANS reprend l'instruction.",
    ),
}

# « Commencer le dépôt des preuves » (START_PROOFS) is not offered: files are uploaded from the
# draft on, and the proofs are sent straight from « éligible ». The API keeps it.
WEB_ACTIONS = frozenset(EDITOR_ACTIONS)

ACTION_HELP = {
    DossierAction.SUBMIT_CANDIDATURE: "La candidature ne pourra plus être modifiée.",
    DossierAction.SUBMIT_PROOFS: (
        "Chaque exigence obligatoire doit avoir au moins une preuve. La date de dépôt est celle "
        "du dossier complet, dont part la règle des 120 jours."
    ),
    DossierAction.RESUBMIT_PROOFS: "Renvoie le dossier corrigé à l'ANS.",
}


def _user_dossier(request: HttpRequest, pk: int) -> Dossier:
    return get_object_or_404(selectors.user_dossiers(user=request.user), pk=pk)


# --- Solutions -----------------------------------------------------------------------------------


@login_required
def solution_list(request: HttpRequest) -> HttpResponse:
    editors = user_editors(user=request.user)
    if not editors.exists():
        raise Http404("Aucun éditeur")
    data = request.POST if request.method == "POST" else None
    form = SolutionCreateForm(data, editors=editors, prefix="solution")
    if request.method == "POST" and form.is_valid():
        try:
            version = services.solution_create(
                user=request.user,
                editor_id=form.cleaned_data["editor"].pk,
                name=form.cleaned_data["name"],
                version_label=form.cleaned_data["version_label"],
                obsolete_versions=form.cleaned_data["obsolete_versions"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"La solution « {version} » est déclarée.")
            return redirect("referencing:solution_list")
    solutions = selectors.user_solutions(user=request.user)
    version_forms = {s.pk: SolutionVersionForm(prefix=f"v{s.pk}") for s in solutions}
    return render(
        request,
        "referencing/solution_list.html",
        {
            "form": form,
            "solutions": [(s, version_forms[s.pk]) for s in solutions],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def solution_version_add(request: HttpRequest, pk: int) -> HttpResponse:
    solution = get_object_or_404(selectors.user_solutions(user=request.user), pk=pk)
    form = SolutionVersionForm(request.POST, prefix=f"v{pk}")
    if form.is_valid():
        try:
            version = services.solution_version_create(
                user=request.user, solution=solution, **form.cleaned_data
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"La version « {version} » est déclarée.")
    else:
        messages.error(request, "Version non enregistrée : indiquez le numéro de version et les "
                       "versions obsolètes.")
    return redirect("referencing:solution_list")


# --- Dossiers ------------------------------------------------------------------------------------


@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    editors = user_editors(user=request.user)
    if not editors.exists():
        raise Http404("Aucun éditeur")
    dossiers = list(selectors.user_dossiers(user=request.user))
    rows = [(d, selectors.dossier_clock(dossier=d)) for d in dossiers]
    return render(request, "referencing/dossier_list.html", {"rows": rows})


@login_required
def dossier_create(request: HttpRequest) -> HttpResponse:
    editors = user_editors(user=request.user)
    if not editors.exists():
        raise Http404("Aucun éditeur")
    versions = selectors.user_solution_versions(user=request.user)
    initial = {
        "contact_name": request.user.get_full_name(),
        "contact_email": request.user.email,
        "solution_version": request.GET.get("version"),
    }
    form = DossierCreateForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        versions=versions,
        dsrs=selectors.dsrs_for_filter(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dossier = services.dossier_create(user=request.user, **data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                f"Le dossier {dossier} est ouvert. Vérifiez la candidature puis déposez-la.",
            )
            return redirect("referencing:dossier_detail", pk=dossier.pk)
    return render(
        request,
        "referencing/dossier_create.html",
        {"form": form, "has_versions": versions.exists()},
        status=400 if form.errors else 200,
    )


def _detail_context(dossier: Dossier, **extra: object) -> dict:
    """The dossier page; `user_dossiers` already scoped the dossier to the user's editors."""
    actions = [
        (action, ACTION_HELP.get(action, ""))
        for action in rules.available_actions(dossier.status, Actor.EDITOR)
        if action in WEB_ACTIONS
    ]
    checklist = selectors.dossier_checklist(dossier=dossier)
    progress = rules.proofs_progress(selectors.checklist_states(checklist))
    return {
        "dossier": dossier,
        "step": rules.dossier_step(dossier.status),
        "clock": selectors.dossier_clock(dossier=dossier),
        "checklist": checklist,
        "progress": progress,
        "has_files": any(row.current_files or row.previous_files for row in checklist),
        "events": selectors.dossier_events(dossier=dossier),
        "open_corrections": selectors.dossier_open_corrections(dossier=dossier),
        "actions": actions,
        "upload_open": dossier.status in rules.UPLOAD_OPEN_STATUSES,
        "candidature_editable": dossier.status in rules.CANDIDATURE_EDITABLE_STATUSES,
        "upload_error": "",
        "upload_refusals": [],
        "max_upload": human_size(MAX_UPLOAD_BYTES),
        "max_submission": human_size(rules.MAX_SUBMISSION_BYTES),
        "max_submission_bytes": rules.MAX_SUBMISSION_BYTES,
        "max_files": rules.MAX_FILES_PER_SUBMISSION,
        "kind_limits": ";".join(
            f"{ext}:{kind.max_bytes}" for kind in PROOF_KINDS for ext in kind.extensions
        ),
        **extra,
    }


@login_required
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _user_dossier(request, pk)
    return render(request, "referencing/dossier_detail.html", _detail_context(dossier))


@login_required
def candidature_edit(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _user_dossier(request, pk)
    initial = {name: getattr(dossier, name) for name in services.CANDIDATURE_FIELDS}
    form = CandidatureForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.candidature_update(user=request.user, dossier=dossier, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "La candidature est enregistrée.")
            return redirect("referencing:dossier_detail", pk=dossier.pk)
    return render(
        request,
        "referencing/candidature_edit.html",
        {"form": form, "dossier": dossier},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def dossier_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    dossier = _user_dossier(request, pk)
    try:
        service, done = EDITOR_ACTIONS[DossierAction(action)]
    except (KeyError, ValueError):
        raise Http404("Action inconnue") from None
    try:
        service(user=request.user, dossier=dossier)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("referencing:dossier_detail", pk=dossier.pk)


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
    dossier = _user_dossier(request, pk)
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
    context = _detail_context(dossier, upload_error=error, upload_refusals=refusals)
    return render(request, "referencing/dossier_detail.html", context, status=400)


@login_required
@require_POST
def proofs_match(request: HttpRequest, pk: int) -> HttpResponse:
    """The requirement each file name points to (field `nom`, repeated), for the page's script
    to propose before sending; the editor confirms or changes each one. (POST: thirty long
    names would not fit in the request line a web server accepts.)"""
    dossier = _user_dossier(request, pk)
    proofs = {
        p.requirement.reference: p.pk for p in dossier.proofs.select_related("requirement")
    }
    names = request.POST.getlist("nom")[: rules.MAX_FILES_PER_SUBMISSION]
    matches = []
    for name in names:
        reference = rules.match_requirement(name[:300], list(proofs))
        matches.append({"name": name, "proof": proofs.get(reference) if reference else None})
    return JsonResponse({"matches": matches})


# --- Files ---------------------------------------------------------------------------------------


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


# --- Public --------------------------------------------------------------------------------------


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    dsrs = list(selectors.dsrs_for_filter())
    editors = list(selectors.referenced_editors())
    dsr_code = request.GET.get("dsr") or None
    if dsr_code not in {d.code for d in dsrs}:
        dsr_code = None
    try:
        editor_id = int(request.GET.get("editeur") or 0) or None
    except ValueError:
        editor_id = None
    dossiers = selectors.referenced_dossiers(dsr_code=dsr_code, editor_id=editor_id)
    groups = [(dsr, list(rows)) for dsr, rows in groupby(dossiers, key=lambda d: d.dsr)]
    return render(
        request,
        "referencing/public_list.html",
        {
            "dsrs": dsrs,
            "editors": editors,
            "selected_dsr": dsr_code,
            "selected_editor": editor_id,
            "groups": groups,
            "total": sum(len(rows) for _, rows in groups),
            "hide_editor_nav": not user_editors(user=request.user).exists(),
        },
    )
