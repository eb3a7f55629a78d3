"""ASP instruction in the Django admin: a queue of funding requests, decisions and payments.

Statuses and amounts are read-only here; every decision goes through a service (the same
transition function the web pages use), which refuses an illegal move with a French message.
"""

from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from segur_funding.core import clock
from segur_funding.core.admin import (
    FastChangeList,
    LargeListAdmin,
    assigned_filter,
    assignment_actions,
    fr_date,
    numbered,
)
from segur_funding.core.errors import DomainError
from segur_funding.core.files import pdf_download
from segur_funding.core.money import format_eur
from segur_funding.organizations.constants import ASP_REVIEWERS_GROUP
from segur_funding.organizations.models import Organization, User
from segur_funding.quotes.models import Quote
from segur_funding.referential.admin_filters import WindowFilter

from . import services
from .admin_decisions import DECISIONS, INSTRUCT_PERM, decision_view
from .admin_page import request_page_context
from .admin_parts import (
    AwaitingFilter,
    CorrectionInline,
    OverdueFilter,
    PaymentInline,
    RequestEventInline,
)
from .constants import EXPORT_SYNC_MAX_ROWS
from .models import FundingRequest, Payment
from .resources import csv_stream, export_rows, xlsx_bytes

MyRequestsFilter = assigned_filter(mine="Assignées à moi", nobody="Non assignées")


def _column(queryset: QuerySet, field: str) -> Subquery:
    return Subquery(queryset.values(field)[:1])


# The list's columns from other tables, as one scalar subquery each on a primary key (or the
# payment's unique request) rather than joins: PostgreSQL plans a query over eight joined tables
# in 20 to 250 ms on the bench machine (bench/NOTES.md, « Admin pages »), one with five scalar
# subqueries in under a millisecond, and runs the subqueries for the 50 rows shown only.
LIST_COLUMNS = {
    "quote_number_": _column(Quote.objects.filter(pk=OuterRef("quote_id")), "number"),
    "client_name_": _column(Quote.objects.filter(pk=OuterRef("quote_id")), "client__name"),
    "editor_name_": _column(Organization.objects.filter(pk=OuterRef("editor_id")), "name"),
    # str(user): the full name, or the e-mail address when there is none.
    "assigned_to_": _column(
        User.objects.filter(pk=OuterRef("assigned_to_id")).annotate(
            label=Coalesce(
                NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")),
                "email",
                output_field=CharField(),
            )
        ),
        "label",
    ),
    "payment_reference_": _column(Payment.objects.filter(request=OuterRef("pk")), "reference"),
}


class RequestChangeList(FastChangeList):
    """The requests of the page and their columns in one query on the request table alone."""

    def get_queryset(self, request, exclude_parameters=None):
        # The columns are added to the root queryset, before Django sorts it: a reviewer sorting
        # by « Devis » or « Éditeur » sorts by these columns (added after, that was an error 500).
        if not getattr(self, "_columns_added", False):
            self.root_queryset = self.root_queryset.annotate(**LIST_COLUMNS)
            self._columns_added = True
        return super().get_queryset(request, exclude_parameters).select_related(None)


@admin.register(FundingRequest)
class FundingRequestAdmin(LargeListAdmin, admin.ModelAdmin):
    change_form_template = "funding/admin/change_form.html"
    list_display = [
        numbered("Demande"),
        "quote_number",
        "editor_name",
        "client_name",
        "milestone",
        "status_badge",
        "amount_display",
        "submitted_at",
        "assigned_to_display",
        "payment_reference",
    ]
    # One link a row, named « Demande n° 8 »: the quote's number would name the advance and the
    # balance requests alike.
    list_filter = [
        AwaitingFilter,
        MyRequestsFilter,
        OverdueFilter,
        "status",
        "milestone",
        "quote__dsr",
        ("quote__window", WindowFilter),
    ]
    # A number (request or quote), a name, a SIREN or SIRET, a payment reference.
    search_fields = [
        "=id",
        "quote__number",
        "editor__name",
        "editor__siren",
        "quote__client__name",
        "quote__client__siret",
        "payment__reference",
    ]
    search_help_text = "N° de demande ou de devis, éditeur, SIREN, client, SIRET, référence du versement."
    list_select_related = False  # the list reads its columns with LIST_COLUMNS
    # No date_hierarchy: its DISTINCT DATE_TRUNC over every request costs ~0.7 s at national
    # scale (bench/RESULTS.md); the submitted-date filter does the job. No full COUNT either
    # (LargeListAdmin).
    ordering = ["-submitted_at", "-id"]
    inlines = [CorrectionInline, PaymentInline, RequestEventInline]
    readonly_fields = [
        "quote_link",
        "editor",
        "client",
        "milestone",
        "status",
        "funded_amount_display",
        "amount_display",
        "invoice_link",
        "delivered_on",
        "editor_comment",
        "submitted_at",
        "decided_at",
        "created_at",
    ]
    fields = readonly_fields
    actions = [
        "validate_selected",
        *assignment_actions(
            reviewers_group=ASP_REVIEWERS_GROUP,
            permission="instruct",
            mine_label="M'assigner les demandes sélectionnées",
        ),
        "export_csv",
        "export_xlsx",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[FundingRequest]:
        return (
            super()
            .get_queryset(request)
            .select_related("quote__client", "quote__window", "editor", "payment", "assigned_to")
        )

    def get_object(self, request: HttpRequest, object_id, from_field=None):
        """The request of the page, read once (its decision block, then Django's form) with what
        the page shows: its payment with the bank details and who recorded it (the « Versement »
        block), its corrections and its history (their tables, and the answers block, take their
        rows from it: `RowsReadWithTheObject`), one query each whatever their number."""
        cache = request.__dict__.setdefault("_segur_requests", {})
        key = (object_id, from_field)
        if key not in cache:
            queryset = self.get_queryset(request).select_related(
                "payment__bank_account__organization", "payment__recorded_by"
            ).prefetch_related(
                Prefetch("corrections", CorrectionInline.rows()),
                Prefetch("events", RequestEventInline.rows()),
            )
            opts = FundingRequest._meta
            field = opts.pk if from_field is None else opts.get_field(from_field)
            try:
                cache[key] = queryset.get(**{field.name: field.to_python(object_id)})
            except (FundingRequest.DoesNotExist, ValidationError, ValueError):
                cache[key] = None
        return cache[key]

    def get_changelist(self, request: HttpRequest, **kwargs):
        return RequestChangeList

    # --- columns ---

    def checkbox_label(self, obj: FundingRequest) -> str:
        return f"{obj.get_milestone_display()} — Devis {obj.quote_number_}"

    @admin.display(description="Devis", ordering="quote_number_")
    def quote_number(self, obj: FundingRequest) -> str:
        return obj.quote_number_

    @admin.display(description="Éditeur", ordering="editor_name_")
    def editor_name(self, obj: FundingRequest) -> str:
        return obj.editor_name_

    @admin.display(description="Client", ordering="client_name_")
    def client_name(self, obj: FundingRequest) -> str:
        return obj.client_name_

    @admin.display(description="Client")
    def client(self, obj: FundingRequest) -> str:
        return obj.quote.client.name

    @admin.display(description="Instructeur assigné", ordering="assigned_to_")
    def assigned_to_display(self, obj: FundingRequest) -> str:
        return obj.assigned_to_ or "—"

    @admin.display(description="Statut", ordering="status")
    def status_badge(self, obj: FundingRequest) -> str:
        return obj.get_status_display()

    @admin.display(description="Montant demandé TTC", ordering="amount")
    def amount_display(self, obj: FundingRequest) -> str:
        return format_eur(obj.amount)

    @admin.display(description="Montant financé TTC")
    def funded_amount_display(self, obj: FundingRequest) -> str:
        return format_eur(obj.funded_amount)

    @admin.display(description="Référence du versement")
    def payment_reference(self, obj: FundingRequest) -> str:
        return obj.payment_reference_ or "—"

    @admin.display(description="Devis")
    def quote_link(self, obj: FundingRequest) -> str:
        url = reverse("admin:quotes_quote_change", args=[obj.quote_id])
        return format_html(
            '<a href="{}">{} (vérifié : {})</a>', url, obj.quote.number, obj.quote.get_verdict_display()
        )

    @admin.display(description="Facture")
    def invoice_link(self, obj: FundingRequest) -> str:
        if not obj.invoice:
            return "—"
        url = reverse("admin:funding_fundingrequest_invoice", args=[obj.pk])
        return format_html('<a href="{}">Télécharger la facture</a>', url)

    @admin.display(description="Mise en ordre de marche déclarée le")
    def delivered_on(self, obj: FundingRequest) -> str:
        return fr_date(obj.quote.delivered_on)

    # --- custom views ---

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            *(
                path(
                    f"<int:pk>/{d.url_segment}/",
                    view(partial(decision_view, self, action=d.action)),
                    name=f"funding_fundingrequest_{d.url_suffix}",
                )
                for d in DECISIONS.values()
            ),
            path("<int:pk>/facture/", view(self.invoice_view), name="funding_fundingrequest_invoice"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = extra_context or {}
        if obj is not None:
            extra.update(self._action_context(request, obj))
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _action_context(self, request: HttpRequest, obj: FundingRequest) -> dict:
        return request_page_context(request, obj)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"title": "Demandes de financement (instruction ASP)", **(extra_context or {})}
        )

    def _get(self, request: HttpRequest, pk: int, perm: str) -> FundingRequest:
        if not request.user.has_perm(perm):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def invoice_view(self, request: HttpRequest, pk: int) -> FileResponse:
        obj = self._get(request, pk, "funding.view_fundingrequest")
        return pdf_download(obj.invoice, filename=obj.invoice_download_name)

    # --- list actions ---

    @admin.action(description="Valider les demandes sélectionnées", permissions=["instruct"])
    def validate_selected(self, request: HttpRequest, queryset: QuerySet[FundingRequest]) -> None:
        done, refused = 0, []
        for obj in queryset:
            try:
                services.funding_request_validate(request=obj, user=request.user)
                done += 1
            except DomainError as exc:
                refused.append(f"{obj} : {exc.message}")
        if done:
            self.message_user(request, f"{done} demande(s) validée(s).", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    def has_instruct_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(INSTRUCT_PERM)

    def _export(self, request, queryset, file_format: str):
        count = queryset.count()
        if count > EXPORT_SYNC_MAX_ROWS:
            job = services.export_job_create(
                user=request.user,
                request_ids=list(queryset.values_list("pk", flat=True)),
                file_format=file_format,
            )
            self.message_user(
                request,
                f"{count} demandes : l'export est préparé en arrière-plan. Il sera disponible "
                f"dans « Exports » ({job}).",
                messages.INFO,
            )
            return None
        stamp = clock.local_now().strftime("%Y%m%d-%H%M")
        rows = export_rows(queryset.values_list("pk", flat=True))
        if file_format == "csv":
            response = StreamingHttpResponse(csv_stream(rows), content_type="text/csv; charset=utf-8")
        else:
            content, _rows = xlsx_bytes(rows)
            response = HttpResponse(
                content,
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="demandes-financement-{stamp}.{file_format}"'
        return response

    @admin.action(description="Exporter la sélection (CSV)", permissions=["view"])
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description="Exporter la sélection (XLSX)", permissions=["view"])
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")


# Admin pages kept in their own modules (registered on import): the ASP's bank-details queue,
# the exports, and the payments (one by one from a request's page above; in batches, with the
# payment order and the import of accounting's answer file, in payments_admin.py).
from . import admin_exports, bank_admin, payments_admin  # noqa: E402, F401
