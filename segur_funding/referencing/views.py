"""Editor pages (Mes solutions, Mes dossiers, the dossier with its checklist), files, public list.

Every fetch goes through a selector scoped to the user's editors: another editor's dossier or file
is a 404, exactly like one that does not exist. Writes call services; a DomainError becomes a
message (or a field error) in French.
"""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from segur_funding.core.errors import DomainError
from segur_funding.core.files import KINDS_BY_CODE, MAX_UPLOAD_BYTES, human_size, private_file_response
from segur_funding.organizations.models import Membership
from segur_funding.organizations.selectors import is_ans_reviewer, user_editors

from . import rules, selectors, services
from .constants import Actor, DossierAction, ScanStatus
from .forms import (
    CandidatureForm,
    DossierCreateForm,
    ProofUploadForm,
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
    DossierAction.START_PROOFS: (
        services.proofs_start,
        "Le dépôt des preuves est ouvert : déposez une preuve pour chaque exigence.",
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

ACTION_HELP = {
    DossierAction.SUBMIT_CANDIDATURE: "La candidature ne pourra plus être modifiée.",
    DossierAction.START_PROOFS: "Ouvre la phase 2 : le dépôt des preuves de conformité.",
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
    ]
    checklist = selectors.dossier_checklist(dossier=dossier)
    return {
        "dossier": dossier,
        "clock": selectors.dossier_clock(dossier=dossier),
        "checklist": checklist,
        "missing_mandatory": sum(
            1 for r in checklist if r.requirement.mandatory and not r.current_files
        ),
        "events": selectors.dossier_events(dossier=dossier),
        "open_corrections": selectors.dossier_open_corrections(dossier=dossier),
        "actions": actions,
        "upload_open": dossier.status in rules.UPLOAD_OPEN_STATUSES,
        "candidature_editable": dossier.status in rules.CANDIDATURE_EDITABLE_STATUSES,
        "upload_errors": {},
        "max_upload": human_size(MAX_UPLOAD_BYTES),
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


@login_required
@require_POST
def proof_upload(request: HttpRequest, pk: int, proof_pk: int) -> HttpResponse:
    dossier = _user_dossier(request, pk)
    proof = get_object_or_404(dossier.proofs.select_related("requirement"), pk=proof_pk)
    # A body far above the largest accepted file is refused without looking at it. (The CSRF
    # check may already have parsed it: the real bound is the web server's body size limit.)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_UPLOAD_BYTES + 1024 * 1024:
        error = (
            f"Le fichier est trop volumineux ({human_size(length)}) : "
            f"{human_size(MAX_UPLOAD_BYTES)} au maximum (vidéo MP4), 20 Mo pour les autres types."
        )
        return _upload_refused(request, dossier, proof.pk, error, parsed=False)
    form = ProofUploadForm(
        request.POST, request.FILES, current_files=proof.files.filter(is_current=True)
    )
    if not form.is_valid():
        error = " ".join(e for errors in form.errors.values() for e in errors)
        if "file" in form.errors:
            error = "Choisissez un fichier à déposer."
        return _upload_refused(request, dossier, proof.pk, error)
    upload = form.cleaned_data["file"]
    try:
        proof_file = services.proof_file_upload(
            user=request.user,
            proof=proof,
            upload=upload,
            replaces=form.cleaned_data.get("replaces"),
        )
    except DomainError as exc:
        return _upload_refused(request, dossier, proof.pk, exc.message)
    finally:
        # A large upload lives in a temporary file until closed: close it now, stored or not.
        upload.close()
    messages.success(
        request,
        f"« {proof_file.original_name} » est déposé pour l'exigence {proof.requirement.reference}.",
    )
    return redirect(reverse("referencing:dossier_detail", args=[dossier.pk]) + f"#preuve-{proof.pk}")


def _upload_refused(
    request: HttpRequest, dossier: Dossier, proof_pk: int, error: str, *, parsed: bool = True
) -> HttpResponse:
    if parsed:
        for upload in request.FILES.values():
            upload.close()
    messages.error(request, f"Fichier refusé : {error}")
    context = _detail_context(dossier, upload_errors={proof_pk: error})
    return render(request, "referencing/dossier_detail.html", context, status=400)


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
