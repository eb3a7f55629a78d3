from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from segur_funding.core.admin import reason_action
from segur_funding.core.errors import DomainError

from . import accounts
from .constants import OrganizationKind
from .forms import AccountRequestForm, AdminLoginForm
from .models import AccountRequest, ApiToken, Membership, Organization, User

# The admin's login refuses over-long and demo identifiers like the site's (organizations.forms).
admin.site.login_form = AdminLoginForm


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name")}),
        ("Droits", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "siren", "siret", "client_kind", "geographic_sites"]
    list_filter = ["kind", "client_kind"]
    search_fields = ["name", "siren", "siret", "finess"]


@admin.register(AccountRequest)
class AccountRequestAdmin(SimpleHistoryAdmin):
    """ANS decides on editors' requests, ASP on labs': each sees only its own queue."""

    list_display = ["created_at", "organization_name", "kind", "identifier", "requester", "email", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["organization_name", "siren", "siret", "email", "last_name"]
    list_per_page = 50
    actions = ["approve", "reject"]
    # What the requester typed (the public form's fields), then the decision.
    readonly_fields = [
        *AccountRequestForm.Meta.fields,
        "status",
        "decided_by",
        "decided_at",
        "rejection_reason",
        "organization",
        "created_at",
    ]

    @admin.display(description="demandeur")
    def requester(self, obj: AccountRequest) -> str:
        return f"{obj.first_name} {obj.last_name}"

    @admin.display(description="SIREN / SIRET")
    def identifier(self, obj: AccountRequest) -> str:
        return obj.identifier

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        user = request.user
        kinds = [kind for kind in OrganizationKind.values if accounts.may_decide_kind(user=user, kind=kind)]
        return queryset.filter(kind__in=kinds)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # requests come from the public form

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # a decision stays on record

    @admin.action(description="Valider et envoyer le lien de création du mot de passe")
    def approve(self, request: HttpRequest, queryset) -> None:
        for account_request in queryset:
            try:
                decision = accounts.account_request_approve(request=account_request, reviewer=request.user)
            except DomainError as error:
                self.message_user(request, f"{account_request} : {error.message}", messages.ERROR)
                continue
            if decision.mail_sent:
                self.message_user(
                    request,
                    f"{account_request} : compte ouvert, lien envoyé à {account_request.email}.",
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    f"{account_request} : compte ouvert, mais l'e-mail n'a pas pu partir ; "
                    "renvoyez le lien depuis la fiche de l'utilisateur.",
                    messages.WARNING,
                )

    @admin.action(description="Refuser (avec un motif envoyé au demandeur)")
    def reject(self, request: HttpRequest, queryset):
        return reason_action(
            self,
            request,
            queryset,
            action="reject",
            title="Refuser des demandes d'ouverture de compte",
            explanation="Le motif est envoyé par e-mail au demandeur, qui peut refaire une demande.",
            submit_label="Refuser ces demandes",
            apply=lambda obj, reason: accounts.account_request_reject(
                request=obj, reviewer=request.user, reason=reason
            ),
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are listed without their value (only a digest is stored): who, since when, until
    when, last used. An administrator can revoke one (delete); creating one is the user's."""

    list_display = ["user", "prefix", "created_at", "expires_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "prefix"]
    ordering = ["-created_at"]
    fields = ["user", "prefix", "created_at", "expires_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# DRF's token admin would list keys in clear; its table is emptied by the migration to ApiToken.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)

# The second factor's devices, in French, in place of django-otp's pages.
from . import admin_two_factor  # noqa: E402, F401
