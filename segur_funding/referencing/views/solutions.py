"""The editor's solutions: « Mes solutions », a solution declared, a version added."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from segur_funding.core.errors import DomainError
from segur_funding.organizations.selectors import user_editors

from .. import selectors, services
from ..forms import SolutionCreateForm, SolutionVersionForm


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
