"""Reference data in the admin: ANS staff edit it, simple_history records who changed what, when."""

from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from segur_funding.core.errors import InvalidInput

from .forms import FundingSchemeForm, RemConfirmImportForm, RemImportForm, TierForm, TierFormSet
from .models import Corridor, Dsr, FundingScheme, FundingWindow, Requirement, Tier
from .resources import RemCSV, RequirementResource
from .services import funding_scheme_activate

CAP_HISTORY_ROWS = 20


@admin.register(Corridor)
class CorridorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "dsr_count"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(dsr_count=Count("dsrs"))

    @admin.display(description="DSR", ordering="dsr_count")
    def dsr_count(self, obj: Corridor) -> int:
        return obj.dsr_count


class HasSchemeFilter(admin.SimpleListFilter):
    title = "barème"
    parameter_name = "bareme"

    def lookups(self, request, model_admin):
        return [("oui", "Avec un AF en vigueur"), ("non", "Sans barème")]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.filter(has_scheme=True)
        if self.value() == "non":
            return queryset.filter(has_scheme=False)
        return queryset


@admin.register(Dsr)
class DsrAdmin(SimpleHistoryAdmin):
    list_display = ["code", "software", "corridor", "wave", "requirement_count", "has_scheme"]
    list_filter = ["corridor", "wave", HasSchemeFilter]
    list_select_related = ["corridor"]
    search_fields = ["code", "software"]

    def get_queryset(self, request):
        active = FundingScheme.objects.filter(dsr=OuterRef("pk"), is_active=True)
        return (
            super()
            .get_queryset(request)
            .annotate(requirement_count=Count("requirements"), has_scheme=Exists(active))
        )

    @admin.display(description="exigences (REM)", ordering="requirement_count")
    def requirement_count(self, obj: Dsr):
        url = reverse("admin:referential_requirement_changelist") + f"?dsr__id__exact={obj.pk}"
        # « 0 exigence », not a bare « 0 »: a screen reader lists the links of a page by name.
        count = obj.requirement_count
        return format_html(
            '<a href="{}">{} exigence{}<span class="visually-hidden"> du DSR {}</span></a>',
            url, count, "s" if count > 1 else "", obj.code,
        )

    @admin.display(description="barème publié", boolean=True, ordering="has_scheme")
    def has_scheme(self, obj: Dsr) -> bool:
        return obj.has_scheme


@admin.register(Requirement)
class RequirementAdmin(ImportExportMixin, SimpleHistoryAdmin):
    list_display = ["reference", "title", "dsr", "theme", "profile", "mandatory", "is_starter"]
    list_display_links = ["reference", "title"]
    list_filter = ["dsr", "mandatory", "is_starter", "theme", "profile"]
    list_select_related = ["dsr"]
    search_fields = ["reference", "title", "statement", "theme"]
    ordering = ["dsr__code", "position", "reference"]
    fieldsets = (
        (None, {"fields": ("dsr", "reference", "position", "theme", "title")}),
        ("Exigence", {"fields": ("statement", "conformity_scenario", "expected_proofs")}),
        ("Portée", {"fields": ("profile", "mandatory", "is_starter")}),
    )

    resource_classes = [RequirementResource]
    import_formats = [RemCSV, XLSX]
    export_formats = [CSV, XLSX]
    import_form_class = RemImportForm
    confirm_form_class = RemConfirmImportForm
    import_template_name = "admin/referential/requirement/import.html"

    def has_import_permission(self, request: HttpRequest) -> bool:
        # An import creates and changes requirements: it needs both rights, whatever the
        # project-wide import-export settings say.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        data = getattr(form, "cleaned_data", None) or {}
        dsr = data.get("dsr")
        # The upload form gives a Dsr, the confirm form its code (hidden field).
        return {"dsr_code": getattr(dsr, "code", dsr) or None}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None and import_form.cleaned_data.get("dsr") is not None:
            initial["dsr"] = import_form.cleaned_data["dsr"].code
        return initial

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        # A file is imported whole or not at all, even if the data changed since the preview.
        kwargs["rollback_on_validation_errors"] = True
        return kwargs


class TierInline(admin.TabularInline):
    model = Tier
    form = TierForm
    formset = TierFormSet
    extra = 0
    fields = ["code", "sites_from", "sites_to", "cap_ht", "cap_ttc"]


class FundingWindowInline(admin.StackedInline):
    model = FundingWindow
    extra = 0
    fields = [
        ("number", "label"),
        "opens_on",
        ("order_signature_deadline", "proofs_complete_deadline"),
        ("advance_request_deadline", "service_completion_deadline"),
        "balance_request_deadline",
        "source",
    ]


@admin.register(FundingScheme)
class FundingSchemeAdmin(SimpleHistoryAdmin):
    form = FundingSchemeForm
    inlines = [TierInline, FundingWindowInline]
    list_display = ["name", "dsr", "version", "is_active", "published_on", "tier_count"]
    list_filter = ["is_active", "dsr"]
    list_select_related = ["dsr"]
    search_fields = ["name", "dsr__code", "version"]
    actions = ["activate"]
    readonly_fields = ["cap_history"]
    fieldsets = (
        (None, {"fields": ("dsr", "name", "version", "published_on", "is_active", "source")}),
        (
            "Conditions de financement",
            {
                "fields": (
                    "advance_rate",
                    "preorder_max_days",
                    "state_funding_wording",
                    "conditional_order_mention",
                )
            },
        ),
        ("Historique des plafonds", {"classes": ("collapse",), "fields": ("cap_history",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(tier_count=Count("tiers"))

    @admin.display(description="tranches", ordering="tier_count")
    def tier_count(self, obj: FundingScheme) -> int:
        return obj.tier_count

    @admin.display(description="dernières modifications du barème")
    def cap_history(self, obj: FundingScheme):
        """Who changed a tier (cap or sites), when: the tiers' own history, newest first."""
        if obj.pk is None:
            return "—"
        records = (
            Tier.history.filter(scheme_id=obj.pk)
            .select_related("history_user")
            .order_by("-history_date")[:CAP_HISTORY_ROWS]
        )
        kinds = {"+": "création", "~": "modification", "-": "suppression"}
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}–{}</td><td>{} €</td><td>{} €</td></tr>",
            (
                (
                    record.history_date.strftime("%d/%m/%Y %H:%M"),
                    record.history_user or "système",
                    kinds.get(record.history_type, record.history_type),
                    record.code,
                    record.sites_from,
                    record.sites_to if record.sites_to is not None else "∞",
                    record.cap_ht,
                    record.cap_ttc,
                )
                for record in records
            ),
        )
        if not rows:
            return "Aucune modification enregistrée."
        return format_html(
            "<table><thead><tr><th>date</th><th>par</th><th>opération</th><th>tranche</th>"
            "<th>sites</th><th>plafond HT</th><th>plafond TTC</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )

    @admin.action(description="Mettre en vigueur (retire de la vigueur l'AF actuel du DSR)")
    def activate(self, request: HttpRequest, queryset) -> None:
        schemes = list(queryset.select_related("dsr"))
        if len(schemes) != 1:
            self.message_user(
                request,
                "Sélectionnez un seul appel à financement à mettre en vigueur.",
                messages.ERROR,
            )
            return
        scheme = schemes[0]
        try:
            funding_scheme_activate(scheme=scheme)
        except InvalidInput as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(
            request,
            f"« {scheme} » est désormais l'AF en vigueur du DSR {scheme.dsr.code}.",
            messages.SUCCESS,
        )
