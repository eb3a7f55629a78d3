"""ANS review in the admin: the queue of dossiers, and the dossier page with its instruction tools.

Nothing here writes a status, a date or a number: every button and action calls the service that
the editor pages and the API call too, and a refusal comes back on the
dossier page, in French, above the decisions, with what the reviewer typed kept.
"""

import copy
from collections.abc import Callable
from datetime import date

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from segur_funding.core import clock
from segur_funding.core.admin import LargeListAdmin, assignment_actions
from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.organizations.constants import ANS_REVIEWERS_GROUP
from segur_funding.organizations.selectors import is_ans_reviewer

from . import rules, selectors, services
from .admin_parts import (
    CONFIRM_MISSING,
    DANGER_ACTIONS,
    DECISION_FORMS,
    REFUSED_TITLES,
    STATUS_COLOURS,
    STATUS_TONES,
    DeadlineFilter,
    MyDossiersFilter,
    bulk_apply,
    status_badge,
)
from .constants import Actor, DossierAction
from .forms import CorrectionRequestForm
from .models import Dossier, Proof


@admin.register(Dossier)
class DossierAdmin(LargeListAdmin, admin.ModelAdmin):
    list_display = [
        "dossier_label",
        "editor",
        "dsr_code",
        "status_display",
        "days_left",
        "candidature_submitted_at",
        "proofs_complete_on",
        "referencing_number",
        "assigned_to",
    ]
    # No editor filter: a list of a thousand editors on every page; the search finds an editor by
    # name or SIREN.
    list_filter = [MyDossiersFilter, DeadlineFilter, "status", "dsr"]
    # « BioLab 6.0 »: each word matches the software's name or its version (or the editor, its
    # SIREN, the referencing number).
    search_fields = [
        "solution_version__solution__name",
        "solution_version__label",
        "editor__name",
        "editor__siren",
        "referencing_number",
    ]
    search_help_text = "Nom du logiciel et version (ex. « 6.0 »), éditeur, SIREN, n° de référencement."
    # The reviewer assigned comes by id afterwards (`get_queryset`): joined, the planner hashes
    # the whole users table for the 50 rows of the page once the programme has a few hundred
    # dossiers (bench/NOTES.md, issue 17).
    list_select_related = ["editor", "dsr", "solution_version__solution"]
    # The queue: the most urgent phase first, dossiers without a running clock after; the id makes
    # the order total, so the page of 50 is read in the order of `dossier_queue_idx` (no sort).
    ordering = [F("clock_deadline").asc(nulls_last=True), "-created_at", "-id"]
    actions = [
        *assignment_actions(
            reviewers_group=ANS_REVIEWERS_GROUP,
            permission="change",
            mine_label="M'assigner les dossiers sélectionnés",
        ),
        "declare_eligible",
        "start_review",
        "accept_submitted_proofs",
    ]
    change_form_template = "admin/referencing/dossier/change_form.html"
    fieldsets = [
        ("Dossier", {"fields": [
            "editor", "solution_version", "dsr", "status_display", "clock_display",
            "assigned_to", "created_by", "created_at",
        ]}),
        ("Candidature", {"fields": [
            "contact_name", "contact_email", "contact_phone", "referencing_profile",
            "candidature_note", "obsolete_versions", "honour_declaration",
            "candidature_submitted_at", "eligibility_decided_at",
        ]}),
        ("Preuves et décision", {"fields": [
            "proofs_complete_on", "referencing_number", "referenced_on", "decided_at",
            "certificate_link",
        ]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # --- Columns -------------------------------------------------------------------------------

    @admin.display(description="dossier", ordering="solution_version__solution__name")
    def dossier_label(self, obj: Dossier) -> str:
        return str(obj.solution_version)

    @admin.display(description="DSR", ordering="dsr__code")
    def dsr_code(self, obj: Dossier) -> str:
        return obj.dsr.code

    @admin.display(description="statut", ordering="status")
    def status_display(self, obj: Dossier) -> str:
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description="jours restants", ordering="clock_deadline")
    def days_left(self, obj: Dossier) -> str:
        if obj.status in rules.PAUSED_STATUSES:
            return "En pause (correction)"
        if obj.clock_deadline is None:
            return "—"
        left = (obj.clock_deadline - clock.today()).days
        if left < 0:
            return format_html(
                '<strong class="segur-overdue" style="color:#ce0500">En retard de {} j</strong>',
                -left,
            )
        return f"{left} j ({obj.get_clock_phase_display().lower()})"

    @admin.display(description="délai de la phase")
    def clock_display(self, obj: Dossier) -> str:
        clock_ = selectors.dossier_clock(dossier=obj)
        if clock_ is None:
            return "—"
        if clock_.paused:
            return f"{clock_.label} : suspendu, {clock_.days_left} j restants sur {clock_.budget_days}"
        if clock_.overdue:
            return format_html(
                '<strong style="color:#ce0500">{} : en retard de {} j ({} j prévus)</strong>',
                clock_.label, -clock_.days_left, clock_.budget_days,
            )
        return f"{clock_.label} : {clock_.days_left} j restants sur {clock_.budget_days}"

    @admin.display(description="versions obsolètes déclarées")
    def obsolete_versions(self, obj: Dossier) -> str:
        return obj.solution_version.obsolete_versions

    @admin.display(description="attestation")
    def certificate_link(self, obj: Dossier) -> str:
        if not obj.certificate:
            return "—"
        url = reverse("referencing:certificate_download", args=[obj.pk])
        return format_html('<a href="{}">Télécharger l\'attestation (PDF)</a>', url)

    # --- Bulk actions ----------------------------------------------------------------------------

    @admin.action(description="Déclarer les candidatures éligibles", permissions=["change"])
    def declare_eligible(self, request, queryset):
        bulk_apply(self, request, queryset,
              lambda d: services.eligibility_decide(user=request.user, dossier=d, eligible=True),
              "candidature déclarée éligible.")

    @admin.action(description="Prendre les dossiers en instruction", permissions=["change"])
    def start_review(self, request, queryset):
        bulk_apply(self, request, queryset,
              lambda d: services.review_start(user=request.user, dossier=d),
              "pris en instruction.")

    @admin.action(description="Accepter les preuves déposées non revues", permissions=["change"])
    def accept_submitted_proofs(self, request, queryset):
        bulk_apply(self, request, queryset,
              lambda d: services.proofs_accept_submitted(user=request.user, dossier=d),
              "preuves déposées acceptées.")

    # --- Dossier page ----------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/instruction/<str:action>/", wrap(self.instruction_view),
                 name="referencing_dossier_instruction"),
            path("<int:object_id>/preuves/<int:proof_id>/revue/", wrap(self.proof_review_view),
                 name="referencing_dossier_proof_review"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": "File d'instruction des dossiers de référencement",
                         **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("assigned_to")

    def get_object(self, request, object_id, from_field=None):
        """The dossier of the page, read once (its instruction block, then Django's form) with what
        both show: its editor, DSR, solution, reviewer, author and corrections (with who opened them
        and their requirements: the corrections block reads them from here), one query each."""
        cache = request.__dict__.setdefault("_segur_dossiers", {})
        key = (object_id, from_field)
        if key not in cache:
            queryset = self.get_queryset(request).select_related(
                "editor", "dsr", "solution_version__solution", "assigned_to", "created_by"
            ).prefetch_related(Prefetch("corrections", selectors.dossier_corrections_shown()))
            field = Dossier._meta.pk if from_field is None else Dossier._meta.get_field(from_field)
            try:
                cache[key] = queryset.get(**{field.name: field.to_python(object_id)})
            except (Dossier.DoesNotExist, ValidationError, ValueError):
                cache[key] = None
        return cache[key]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            # Nothing on this page is edited by hand: the instruction forms post elsewhere.
            return HttpResponseRedirect(request.path)
        dossier = self.get_object(request, object_id) if object_id else None
        extra_context = extra_context or {}
        if dossier is not None:
            extra_context.update(self._instruction_context(request, dossier))
        extra_context.update(
            show_save=False, show_save_and_continue=False, show_save_and_add_another=False,
            show_delete=False,
        )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _instruction_context(self, request: HttpRequest, dossier: Dossier, **extra) -> dict:
        can_instruct = is_ans_reviewer(user=request.user) and self.has_change_permission(
            request, dossier
        )
        actions = rules.available_actions(dossier.status, Actor.ANS) if can_instruct else []
        colour = STATUS_COLOURS.get(dossier.status, "")
        return {
            "status_tone": STATUS_TONES.get(colour, ""),
            "phase_clock": selectors.dossier_clock(dossier=dossier),
            "clock_text": self.clock_display(dossier),
            "can_instruct": can_instruct,
            "ans_actions": [a.value for a in actions],
            "proof_review_open": can_instruct and dossier.status in rules.PROOF_REVIEW_STATUSES,
            "checklist": selectors.dossier_checklist(dossier=dossier),
            "corrections": selectors.dossier_corrections(dossier=dossier),
            "events": selectors.dossier_events(dossier=dossier),
            "correction_form": extra.get("correction_form")
            or CorrectionRequestForm(dossier=dossier, prefix="correction"),
            "today": clock.today(),
            "actions_labels": {a.value: a.label for a in DossierAction},
        }

    def _back(self, dossier: Dossier) -> HttpResponseRedirect:
        return HttpResponseRedirect(
            reverse("admin:referencing_dossier_change", args=[dossier.pk])
        )

    def instruction_view(self, request: HttpRequest, object_id: int, action: str) -> HttpResponse:
        dossier = get_object_or_404(Dossier, pk=object_id)
        if request.method != "POST":
            return self._back(dossier)
        if not self.has_change_permission(request, dossier):
            raise PermissionDenied
        post = request.POST
        user = request.user
        comment = post.get("comment", "")
        calls: dict[str, tuple[Callable[[], object], str]] = {
            DossierAction.DECLARE_ELIGIBLE: (
                lambda: services.eligibility_decide(
                    user=user, dossier=dossier, eligible=True, comment=comment
                ),
                "La candidature est déclarée éligible.",
            ),
            DossierAction.DECLARE_INELIGIBLE: (
                lambda: services.eligibility_decide(
                    user=user, dossier=dossier, eligible=False, comment=comment
                ),
                "La candidature est déclarée non éligible.",
            ),
            DossierAction.START_REVIEW: (
                lambda: services.review_start(user=user, dossier=dossier),
                "Le dossier est pris en instruction.",
            ),
            DossierAction.GRANT: (
                lambda: services.referencing_grant(
                    user=user, dossier=dossier, comment=comment,
                    referenced_on=_date_or_none(post.get("referenced_on")),
                ),
                "Le référencement est accordé : l'attestation PDF est en cours de génération.",
            ),
            DossierAction.REFUSE: (
                lambda: services.referencing_refuse(user=user, dossier=dossier, comment=comment),
                "Le référencement est refusé.",
            ),
            "accept_submitted": (
                lambda: services.proofs_accept_submitted(user=user, dossier=dossier),
                "Les preuves déposées sont acceptées.",
            ),
            "withdraw": (
                lambda: services.referencing_withdraw(user=user, dossier=dossier, reason=comment),
                "Le référencement est retiré : la page publique de l'attestation l'indique.",
            ),
        }
        if action == DossierAction.REQUEST_CORRECTION:
            return self._correction(request, dossier)
        if action not in calls:
            raise PermissionDenied
        decision = DECISION_FORMS.get(action)
        if action in DANGER_ACTIONS and post.get("confirm") != "on":
            return self._refused(request, dossier, action, CONFIRM_MISSING, decision.confirm)
        call, done = calls[action]
        try:
            call()
        except InvalidInput as exc:  # what was typed: the form's first field
            return self._refused(request, dossier, action, exc.message, decision and decision.first)
        except DomainError as exc:
            return self._refused(request, dossier, action, exc.message, None)
        except ValueError:
            return self._refused(
                request, dossier, action,
                "Date de référencement invalide : choisissez un jour (jj/mm/aaaa).",
                decision and decision.first,
            )
        self.message_user(request, done, messages.SUCCESS)
        return self._back(dossier)

    def _refused(
        self, request: HttpRequest, dossier: Dossier, action: str, message: str, anchor: str | None
    ) -> HttpResponse:
        """The dossier page again, as a 400, nothing written: the refusal above the decisions,
        linked to the field to correct, and what the reviewer typed kept in its form."""
        post = request.POST
        failed = {
            "action": action,
            "comment": post.get("comment", ""),
            "referenced_on": post.get("referenced_on", ""),
            "confirmed": post.get("confirm") == "on",
            "anchor": anchor or "",
            "title": REFUSED_TITLES[action],
            "lines": [{"anchor": anchor or "", "text": message}],
        }
        # Django's change view saves what a POST carries: the page is drawn as for a visit.
        page = copy.copy(request)
        page.method = "GET"
        response = self.change_view(page, str(dossier.pk), extra_context={"failed": failed})
        response.status_code = 400
        return response

    def _correction(self, request: HttpRequest, dossier: Dossier) -> HttpResponse:
        form = CorrectionRequestForm(request.POST, dossier=dossier, prefix="correction")
        if form.is_valid():
            try:
                services.correction_request(
                    user=request.user,
                    dossier=dossier,
                    reason=form.cleaned_data["reason"],
                    message=form.cleaned_data["message"],
                    requirements=form.cleaned_data["requirements"],
                )
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(
                    request, "La demande de correction est envoyée : le délai d'instruction est "
                    "suspendu.", messages.SUCCESS,
                )
                return self._back(dossier)
        else:
            self.message_user(
                request, "Demande de correction incomplète : choisissez un motif et rédigez le "
                "message à l'éditeur.", messages.ERROR,
            )
        # Show the form again with what the reviewer typed.
        context = {
            **self.admin_site.each_context(request),
            "title": f"Demande de correction — {dossier}",
            "dossier": dossier,
            "opts": self.model._meta,
            "correction_form": form,
        }
        return TemplateResponse(
            request, "admin/referencing/dossier/correction_form.html", context, status=400
        )

    def proof_review_view(self, request: HttpRequest, object_id: int, proof_id: int) -> HttpResponse:
        dossier = get_object_or_404(Dossier, pk=object_id)
        proof = get_object_or_404(Proof.objects.select_related("requirement"), pk=proof_id,
                                  dossier=dossier)
        if request.method != "POST":
            return self._back(dossier)
        if not self.has_change_permission(request, dossier):
            raise PermissionDenied
        accepted = request.POST.get("decision") == "accept"
        try:
            services.proof_review(
                user=request.user, proof=proof, accepted=accepted,
                comment=request.POST.get("comment", ""),
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            verdict = "acceptée" if accepted else "rejetée"
            self.message_user(
                request, f"Preuve {proof.requirement.reference} {verdict}.", messages.SUCCESS
            )
        url = reverse("admin:referencing_dossier_change", args=[dossier.pk])
        return HttpResponseRedirect(f"{url}#preuve-{proof.pk}")


def _date_or_none(raw: str | None) -> date | None:
    return date.fromisoformat(raw) if raw else None


# The solutions' pages (registered on import).
from . import admin_solutions  # noqa: E402, F401
