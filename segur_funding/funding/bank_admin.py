"""ASP's queue of editors' bank details: compare the IBAN with the RIB, then validate or refuse."""

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from segur_funding.core.admin import reason_action
from segur_funding.core.errors import DomainError
from segur_funding.organizations.models import BankAccount
from segur_funding.organizations.rules import iban_display

from . import bank
from .bank_views import rib_response


@admin.register(BankAccount)
class BankAccountAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "holder", "iban_masked", "bic", "status", "submitted_at", "submitted_by"]
    list_filter = ["status"]
    search_fields = ["organization__name", "organization__siren", "holder"]
    list_select_related = ["organization", "submitted_by"]
    list_per_page = 50
    actions = ["validate", "reject"]
    fields = [
        "organization",
        "holder",
        "iban_full",
        "bic",
        "rib_link",
        "document_sha256",
        "status",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
        "rejection_reason",
    ]
    readonly_fields = fields

    @admin.display(description="IBAN")
    def iban_full(self, obj: BankAccount) -> str:
        return iban_display(obj.iban)

    @admin.display(description="IBAN")
    def iban_masked(self, obj: BankAccount) -> str:
        return obj.iban_masked

    @admin.display(description="RIB déposé")
    def rib_link(self, obj: BankAccount) -> str:
        url = reverse("admin:organizations_bankaccount_rib", args=[obj.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">Ouvrir le RIB</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:pk>/rib/",
                self.admin_site.admin_view(self.rib_view),
                name="organizations_bankaccount_rib",
            ),
            *super().get_urls(),
        ]

    def rib_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        return rib_response(get_object_or_404(BankAccount, pk=pk))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # declared by the editor's administrators

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # a payment may point at it; history stays

    @admin.action(description="Valider (comparé au RIB) et mettre en vigueur")
    def validate(self, request: HttpRequest, queryset) -> None:
        for account in queryset:
            try:
                bank.bank_account_validate(account=account, reviewer=request.user)
            except DomainError as error:
                self.message_user(request, f"{account} : {error.message}", messages.ERROR)
            else:
                self.message_user(
                    request, f"{account} : en vigueur pour les prochains versements.", messages.SUCCESS
                )

    @admin.action(description="Refuser (avec un motif envoyé à l'éditeur)")
    def reject(self, request: HttpRequest, queryset):
        return reason_action(
            self,
            request,
            queryset,
            action="reject",
            title="Refuser des coordonnées bancaires",
            explanation="Le motif est envoyé aux administrateurs de l'éditeur ; le compte en vigueur reste.",
            submit_label="Refuser ces coordonnées",
            apply=lambda obj, reason: bank.bank_account_reject(
                account=obj, reviewer=request.user, reason=reason
            ),
        )
