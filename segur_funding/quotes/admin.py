"""Quotes in the admin: read-only for reviewers (statuses and reports move through services)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from segur_funding.core.admin import (
    READ_ONLY_TABULAR,
    LargeListAdmin,
    ReadOnlyInlineMixin,
    changelist_deferring,
)
from segur_funding.referential.admin_filters import WindowFilter
from segur_funding.referential.models import ConditionWording, QuoteLabelItem, pattern_lines

from .models import Quote, QuoteEvent, QuoteLine
from .rules.patterns import pattern_problems
from .selectors import QUOTE_HEAVY_FIELDS


class QuoteLineInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = QuoteLine
    template = READ_ONLY_TABULAR
    fields = [
        "position", "label", "scope", "dsr_codes", "is_technical_debt", "amount_ht", "amount_ttc", "declined"
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        # The quote's own lines: ordered within it (the model's ordering starts with the quote,
        # which would join the quote table again).
        return super().get_queryset(request).order_by("position", "id")


class QuoteEventInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = QuoteEvent
    template = READ_ONLY_TABULAR
    fields = ["at", "kind", "actor", "from_status", "to_status", "comment"]
    readonly_fields = fields
    verbose_name_plural = "Historique"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")  # not a query per row


QuoteChangeList = changelist_deferring(*QUOTE_HEAVY_FIELDS)
QUOTE_PAGE_RELATED = (
    "editor", "client", "dsr", "window", "dossier__solution_version__solution", "dossier__dsr"
)


@admin.register(Quote)
class QuoteAdmin(LargeListAdmin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "origin",
        "editor_display",
        "client",
        "dsr",
        "status",
        "verdict",
        "signature_date",
        "signatory_name",
        "signatory_role",
        "delivered_on",
    ]
    list_filter = ["origin", "status", "verdict", "dsr", ("window", WindowFilter)]
    search_fields = ["number", "editor__name", "editor_name", "client__name", "client__siret"]
    list_select_related = ["editor", "client", "dsr"]
    inlines = [QuoteLineInline, QuoteEventInline]

    def get_changelist(self, request, **kwargs):
        return QuoteChangeList

    def get_object(self, request, object_id, from_field=None):
        """Django's, the quote read with what its page shows (editor, client, DSR, window, and the
        dossier by its solution, version and DSR): not one query each while the fields are drawn."""
        queryset = self.get_queryset(request).select_related(*QUOTE_PAGE_RELATED)
        field = Quote._meta.pk if from_field is None else Quote._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (Quote.DoesNotExist, ValidationError, ValueError):
            return None
    readonly_fields = [
        "origin",
        "number",
        "editor",
        "editor_name",
        "client",
        "dsr",
        "dossier",
        "window",
        "order_date",
        "signature_date",
        "delivered_on",
        "status",
        "verdict",
        "check_status",
        "check_error",
        "checked_at",
        "mentions",
        "conditions",
        "report_display",
        "pdf_link",
        "issued_at",
        "created_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="Éditeur")
    def editor_display(self, obj: Quote) -> str:
        return obj.editor_display

    @admin.display(description="Rapport de vérification")
    def report_display(self, obj: Quote) -> str:
        report = obj.check_report or {}
        if not report:
            return "—"
        items = format_html_join("", "<li>{}</li>", ((f["message"],) for f in report.get("findings", [])))
        return format_html(
            "Tranche {} — Ségur {} € — État {} € — reste à charge {} €<ul>{}</ul>",
            report.get("tier") or "?",
            report.get("segur_total_ttc"),
            report.get("state_funding_ttc"),
            report.get("client_remainder_ttc"),
            items,
        )

    @admin.display(description="PDF")
    def pdf_link(self, obj: Quote) -> str:
        if not obj.pdf:
            return "—"
        return format_html(
            '<a href="{}">Télécharger le PDF</a>', reverse("admin:quotes_quote_pdf", args=[obj.pk])
        )

    def get_urls(self):
        return [
            path("<int:pk>/pdf/", self.admin_site.admin_view(self.pdf_view), name="quotes_quote_pdf"),
            *super().get_urls(),
        ]

    def pdf_view(self, request: HttpRequest, pk: int) -> FileResponse:
        if not request.user.has_perm("quotes.view_quote"):
            raise Http404
        quote = get_object_or_404(Quote, pk=pk)
        if not quote.pdf:
            raise Http404
        return FileResponse(
            quote.pdf.open("rb"), as_attachment=True, filename=f"devis-{quote.number or quote.pk}.pdf"
        )


class _WordingForm(forms.ModelForm):
    """Each pattern is compiled as the checker will compile it: a pattern it cannot read is a
    French error on its field, never a silent miss at the next check."""

    def clean(self) -> dict:
        data = super().clean()
        for field in self._meta.model.LINE_FIELDS:
            problems = pattern_problems(pattern_lines(data.get(field) or ""))
            if problems:
                self.add_error(field, problems)
        return data


class _WordingAdmin(SimpleHistoryAdmin):
    """The words the quote checker reads (reference data of the referential app, edited by ANS,
    with history); a change applies to the next check (the checker's matcher is rebuilt when
    the table's history moves). Registered here, next to the pattern compiler it validates with."""

    list_display = ["name", "code", "kind", "is_active", "position", "updated_at"]
    list_filter = ["kind", "is_active"]
    list_editable = ["is_active", "position"]
    readonly_fields = ["updated_at"]


class QuoteLabelItemForm(_WordingForm):
    class Meta:
        model = QuoteLabelItem
        fields = ["name", "code", "kind", "patterns", "requires", "exceptions", "is_active", "position"]


class ConditionWordingForm(_WordingForm):
    class Meta:
        model = ConditionWording
        fields = ["name", "code", "kind", "patterns", "is_active", "position"]


@admin.register(QuoteLabelItem)
class QuoteLabelItemAdmin(_WordingAdmin):
    """Items of the Prestation Ségur and excluded items, as line labels print them."""

    form = QuoteLabelItemForm
    search_fields = ["name", "code", "patterns", "requires", "exceptions"]
    fields = [*QuoteLabelItemForm.Meta.fields, "updated_at"]


@admin.register(ConditionWording)
class ConditionWordingAdmin(_WordingAdmin):
    """Wordings of conditional offers, in labels, mentions and conditions."""

    form = ConditionWordingForm
    search_fields = ["name", "code", "patterns"]
    fields = [*ConditionWordingForm.Meta.fields, "updated_at"]
