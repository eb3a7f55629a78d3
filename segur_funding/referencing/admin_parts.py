"""Pieces of the ANS queue and dossier page: status colours, the deadline filter, bulk actions."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from segur_funding.core import clock
from segur_funding.core.admin import assigned_filter
from segur_funding.core.errors import DomainError

from . import rules
from .constants import DossierAction, DossierStatus, ProofStatus
from .models import Dossier

STATUS_COLOURS = {
    DossierStatus.REFERENCED: "#18753c",
    DossierStatus.REFUSED: "#ce0500",
    DossierStatus.INELIGIBLE: "#ce0500",
    DossierStatus.CORRECTION_REQUESTED: "#b34000",
    ProofStatus.ACCEPTED: "#18753c",
    ProofStatus.REJECTED: "#ce0500",
    ProofStatus.MISSING: "#b34000",
}
STATUS_TONES = {"#18753c": "success", "#ce0500": "error", "#b34000": "warning"}

# Final decisions: the reviewer ticks « Je confirme » (checked here, on the server) before they
# are made.
DANGER_ACTIONS = (DossierAction.DECLARE_INELIGIBLE, DossierAction.REFUSE, "withdraw")
CONFIRM_MISSING = "Cochez la case « Je confirme » : cette décision est définitive."


@dataclass(frozen=True)
class DecisionForm:
    """The ids of a decision form's inputs on the dossier page (change_form.html)."""

    first: str  # its first input: where a refusal of what was typed sends the reviewer
    confirm: str = ""  # the « Je confirme » box of a final decision


DECISION_FORMS = {
    DossierAction.DECLARE_ELIGIBLE: DecisionForm("eligible-comment"),
    DossierAction.DECLARE_INELIGIBLE: DecisionForm("ineligible-comment", "ineligible-confirm"),
    DossierAction.GRANT: DecisionForm("grant-date"),
    DossierAction.REFUSE: DecisionForm("refuse-comment", "refuse-confirm"),
    "withdraw": DecisionForm("withdraw-comment", "withdraw-confirm"),
}

# The title of the summary when a decision comes back refused.
REFUSED_TITLES = {
    DossierAction.DECLARE_ELIGIBLE: "La candidature n'est pas déclarée éligible",
    DossierAction.DECLARE_INELIGIBLE: "La candidature n'est pas déclarée non éligible",
    DossierAction.START_REVIEW: "Le dossier n'est pas pris en instruction",
    DossierAction.GRANT: "Le référencement n'est pas accordé",
    DossierAction.REFUSE: "Le référencement n'est pas refusé",
    "accept_submitted": "Les preuves déposées ne sont pas acceptées",
    "withdraw": "Le référencement n'est pas retiré",
}

MyDossiersFilter = assigned_filter(mine="Assignés à moi", nobody="Non assignés")


def status_badge(value: str, label: str) -> str:
    colour = STATUS_COLOURS.get(value, "#0063cb")
    return format_html('<strong style="color:{}">{}</strong>', colour, label)


class DeadlineFilter(admin.SimpleListFilter):
    title = "délai de la phase"
    parameter_name = "delai"

    def lookups(self, request, model_admin):
        return [
            ("retard", "En retard"),
            ("bientot", "Échéance sous 7 jours"),
            ("pause", "En pause (correction demandée)"),
        ]

    def queryset(self, request, queryset):
        today = clock.today()
        if self.value() == "retard":
            return queryset.filter(clock_deadline__lt=today)
        if self.value() == "bientot":
            return queryset.filter(
                clock_deadline__gte=today, clock_deadline__lte=date.fromordinal(today.toordinal() + 7)
            )
        if self.value() == "pause":
            return queryset.filter(status__in=rules.PAUSED_STATUSES)
        return queryset


def bulk_apply(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Dossier],
    call: Callable[[Dossier], object],
    done: str,
) -> None:
    ok = 0
    for dossier in queryset:
        try:
            call(dossier)
        except DomainError as exc:
            modeladmin.message_user(request, f"{dossier} : {exc.message}", messages.ERROR)
        else:
            ok += 1
    if ok:
        modeladmin.message_user(request, f"{ok} dossier(s) : {done}", messages.SUCCESS)
