"""Pieces of the funding request admin page and list: read-only inlines and the list filters."""

from django.contrib import admin

from segur_funding.core import clock
from segur_funding.core.admin import READ_ONLY_TABULAR, ReadOnlyInlineMixin

from .admin_page import ASP_TARGET_DAYS, overdue_q
from .constants import AWAITING_ASP, RequestStatus
from .models import CorrectionRequest, Payment, RequestEvent


class RequestEventInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = RequestEvent
    template = READ_ONLY_TABULAR
    fields = ["at", "actor", "from_status", "to_status", "comment"]
    readonly_fields = fields
    verbose_name_plural = "Historique"

    @classmethod
    def rows(cls):
        """The rows as the table shows them (the request page reads them with the request)."""
        return RequestEvent.objects.select_related("actor")  # not one query per row

    def get_queryset(self, request):
        return self.rows()


class CorrectionInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = CorrectionRequest
    template = READ_ONLY_TABULAR
    fields = ["requested_at", "requested_by", "reasons_display", "comment", "resolved_at"]
    readonly_fields = fields
    verbose_name_plural = "Demandes de modification"

    @classmethod
    def rows(cls):
        """The rows as the table and the answers block show them (read with the request)."""
        return CorrectionRequest.objects.select_related("requested_by", "answered_by", "bank_account")

    def get_queryset(self, request):
        return self.rows()

    @admin.display(description="Motifs")
    def reasons_display(self, obj: CorrectionRequest) -> str:
        return ", ".join(obj.reason_labels)


class PaymentInline(ReadOnlyInlineMixin, admin.StackedInline):
    model = Payment
    fields = ["amount", "paid_on", "reference", "bank_account", "recorded_by", "recorded_at"]
    readonly_fields = fields
    verbose_name_plural = "Versement"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("bank_account", "recorded_by")


class AwaitingFilter(admin.SimpleListFilter):
    title = "file d'attente"
    parameter_name = "file"

    def lookups(self, request, model_admin):
        return [("decision", "À instruire"), ("paiement", "À payer")]

    def queryset(self, request, queryset):
        if self.value() == "decision":
            return queryset.filter(status__in=AWAITING_ASP)
        if self.value() == "paiement":
            return queryset.filter(status=RequestStatus.VALIDATED)
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    """« En retard »: waiting for the ASP's decision or payment longer than its target."""

    title = "délai"
    parameter_name = "delai"

    def lookups(self, request, model_admin):
        return [("retard", f"En retard (en attente depuis plus de {ASP_TARGET_DAYS} jours)")]

    def queryset(self, request, queryset):
        if self.value() == "retard":
            return queryset.filter(overdue_q(clock.today()))
        return queryset
