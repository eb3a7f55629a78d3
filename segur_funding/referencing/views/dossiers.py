"""The editor's dossiers: « Mes dossiers », a dossier opened, the dossier page with its checklist,
the candidature, and the moves the editor makes from the page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from segur_funding.core.errors import DomainError
from segur_funding.core.files import MAX_UPLOAD_BYTES, PROOF_KINDS, human_size
from segur_funding.organizations.selectors import user_editors

from .. import rules, selectors, services
from ..constants import Actor, DossierAction
from ..forms import CandidatureForm, DossierCreateForm
from ..models import Dossier

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


def user_dossier(request: HttpRequest, pk: int) -> Dossier:
    return get_object_or_404(selectors.user_dossiers(user=request.user), pk=pk)


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


def detail_context(dossier: Dossier, **extra: object) -> dict:
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
    dossier = user_dossier(request, pk)
    return render(request, "referencing/dossier_detail.html", detail_context(dossier))


@login_required
def candidature_edit(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = user_dossier(request, pk)
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
    dossier = user_dossier(request, pk)
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
