"""The Ségur team's queue of reported quotes: assign, answer the lab, close; history kept."""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from segur_funding.core.admin import FastChangeList, LargeListAdmin, numbered, reason_action
from segur_funding.core.errors import DomainError

from . import services
from .constants import AlertStatus
from .models import QuoteAlert


class AssignedFilter(admin.SimpleListFilter):
    title = "file d'attente"
    parameter_name = "file"

    def lookups(self, request, model_admin):
        return [("moi", "Assignés à moi"), ("libres", "Non assignés")]

    def queryset(self, request, queryset):
        if self.value() == "moi":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "libres":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class AlertChangeList(FastChangeList):
    """The reports per editor (all statuses together), counted for the editors of the page only:
    one grouped query over their alerts, not over the whole table."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        alerts = list(self.result_list)
        ids = {a.editor_id for a in alerts if a.editor_id}
        names = {a.editor_name for a in alerts if not a.editor_id}
        counts = {}
        if alerts:
            rows = (
                QuoteAlert.objects.filter(
                    Q(editor_id__in=ids) | Q(editor__isnull=True, editor_name__in=names)
                )
                .order_by()
                .values("editor_id", "editor_name")
                .annotate(n=Count("pk"))
            )
            for row in rows:
                key = row["editor_id"] or row["editor_name"]
                counts[key] = counts.get(key, 0) + row["n"]
        for alert in alerts:
            alert.editor_alert_count = counts.get(alert.editor_id or alert.editor_name, 0)
        self.result_list = alerts


@admin.register(QuoteAlert)
class QuoteAlertAdmin(LargeListAdmin, SimpleHistoryAdmin):
    list_display = [
        numbered("Signalement"),
        "created_at",
        "quote_number",
        "client",
        "editor_name",
        "reason",
        "status",
        "assigned_to",
        "editor_alerts",
    ]
    list_filter = ["status", AssignedFilter, "reason"]
    search_fields = ["quote__number", "client__name", "client__siret", "editor_name", "message"]
    list_select_related = ["quote", "client", "assigned_to"]
    actions = ["assign_to_me", "answer", "close"]
    fields = [
        "quote_link",
        "client",
        "editor_name",
        "reported_by",
        "created_at",
        "reason",
        "message",
        "status",
        "assigned_to",
        "answer",
        "answered_at",
        "editor_answer",
        "editor_answered_at",
        "closed_at",
    ]
    readonly_fields = fields

    @admin.display(description="devis")
    def quote_number(self, obj: QuoteAlert) -> str:
        return obj.quote.number or f"n° {obj.quote_id}"

    @admin.display(description="devis")
    def quote_link(self, obj: QuoteAlert) -> str:
        url = reverse("admin:quotes_quote_change", args=[obj.quote_id])
        return format_html(
            '<a href="{}">{}</a> (fichier et rapport du vérificateur sur sa fiche)',
            url,
            obj.quote.number or obj.quote_id,
        )

    @admin.display(description="signalements de cet éditeur")
    def editor_alerts(self, obj: QuoteAlert) -> int:
        return getattr(obj, "editor_alert_count", 0)

    def get_changelist(self, request: HttpRequest, **kwargs):
        return AlertChangeList

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def _each(self, request, queryset, apply, done: str) -> None:
        for alert in queryset:
            try:
                apply(alert)
            except DomainError as error:
                self.message_user(request, f"{alert} : {error.message}", messages.ERROR)
            else:
                self.message_user(request, f"{alert} : {done}", messages.SUCCESS)

    @admin.action(description="M'assigner ces signalements")
    def assign_to_me(self, request: HttpRequest, queryset) -> None:
        self._each(
            request, queryset, lambda a: services.alert_assign(alert=a, reviewer=request.user), "assigné."
        )

    @admin.action(description="Répondre au laboratoire")
    def answer(self, request: HttpRequest, queryset):
        return reason_action(
            self,
            request,
            queryset,
            action="answer",
            title="Répondre au laboratoire",
            explanation="La réponse est envoyée au laboratoire et visible de l'éditeur ; "
            "le signalement reste ouvert jusqu'à sa clôture.",
            submit_label="Envoyer la réponse",
            apply=lambda obj, text: services.alert_answer(alert=obj, reviewer=request.user, answer=text),
            done="réponse envoyée.",
            text_label="Réponse au laboratoire (obligatoire)",
        )

    @admin.action(description="Clore ces signalements")
    def close(self, request: HttpRequest, queryset) -> None:
        self._each(
            request,
            queryset.exclude(status=AlertStatus.CLOSED),
            lambda a: services.alert_close(alert=a, reviewer=request.user),
            "clos.",
        )
