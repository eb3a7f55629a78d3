"""ASP instruction in the Django admin: a queue of funding requests, decisions and payments.

Statuses and amounts are read-only here; every decision goes through a service (the same
transition function the web pages use), which refuses an illegal move with a French message.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from segur_funding.core import clock
from segur_funding.core.admin import changelist_deferring
from segur_funding.core.errors import DomainError
from segur_funding.core.files import pdf_download
from segur_funding.core.money import format_eur
from segur_funding.quotes.selectors import QUOTE_HEAVY_FIELDS

from . import rules, services
from .constants import (
    AWAITING_ASP,
    EXPORT_SYNC_MAX_ROWS,
    Actor,
    CorrectionReason,
    RequestAction,
    RequestStatus,
)
from .models import CorrectionRequest, ExportJob, FundingRequest, Payment, RequestEvent
from .resources import csv_stream, export_rows, xlsx_bytes
from .rules import payment_date_refusal
from .selectors import request_validated_on

INSTRUCT_PERM = "funding.instruct_fundingrequest"
PAY_PERM = "funding.record_payment"

# The admin page and permission of each ASP action of `rules.TRANSITIONS`: the buttons of a
# request are the actions the table allows from its status, so a move added there shows here.
ASP_ACTION_PAGES: dict[str, tuple[str, str]] = {
    RequestAction.VALIDATE: ("admin:funding_fundingrequest_validate", INSTRUCT_PERM),
    RequestAction.SEND_BACK: ("admin:funding_fundingrequest_send_back", INSTRUCT_PERM),
    RequestAction.REFUSE: ("admin:funding_fundingrequest_refuse", INSTRUCT_PERM),
    RequestAction.PAY: ("admin:funding_fundingrequest_payment", PAY_PERM),
}


def _bound(request: HttpRequest) -> tuple:
    """Form arguments: bound on POST (even an empty one), unbound otherwise."""
    if request.method == "POST":
        return (request.POST, request.FILES)
    return ()


class SendBackForm(forms.Form):
    reasons = forms.MultipleChoiceField(
        label="Motifs", choices=CorrectionReason.choices, widget=forms.CheckboxSelectMultiple
    )
    comment = forms.CharField(
        label="Précisions pour l'éditeur", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class RefuseForm(forms.Form):
    comment = forms.CharField(
        label="Motif du refus",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Communiqué à l'éditeur. Un refus est définitif : aucun versement ne suivra.",
    )


class PaymentForm(forms.Form):
    paid_on = forms.DateField(
        label="Date du versement",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=clock.today,
        help_text="Entre la validation de la demande et aujourd'hui.",
    )
    reference = forms.CharField(label="Référence du versement", max_length=100)

    def __init__(self, *args, funding_request: FundingRequest, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.funding_request = funding_request

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        refusal = payment_date_refusal(
            paid_on=paid_on,
            validated_on=request_validated_on(self.funding_request),
            today=clock.today(),
        )
        if refusal:
            raise forms.ValidationError(refusal)
        return paid_on


class ValidateForm(forms.Form):
    comment = forms.CharField(
        label="Commentaire (facultatif)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ReadOnlyInlineMixin:
    """History, corrections and payments are written by the services only: shown, never edited."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class RequestEventInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = RequestEvent
    fields = ["at", "actor", "from_status", "to_status", "comment"]
    readonly_fields = fields
    verbose_name_plural = "Historique"


class CorrectionInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = CorrectionRequest
    fields = ["requested_at", "requested_by", "reasons_display", "comment", "resolved_at"]
    readonly_fields = fields
    verbose_name_plural = "Demandes de modification"

    @admin.display(description="Motifs")
    def reasons_display(self, obj: CorrectionRequest) -> str:
        return ", ".join(obj.reason_labels)


class PaymentInline(ReadOnlyInlineMixin, admin.StackedInline):
    model = Payment
    fields = ["amount", "paid_on", "reference", "recorded_by", "recorded_at"]
    readonly_fields = fields
    verbose_name_plural = "Versement"


class WindowFilter(admin.RelatedFieldListFilter):
    """Windows of several DSRs share labels: show the DSR too."""

    def field_choices(self, field, request, model_admin):
        from segur_funding.referential.models import FundingWindow

        windows = FundingWindow.objects.select_related("scheme__dsr").order_by("scheme__dsr__code", "number")
        return [(w.pk, f"{w.scheme.dsr.code} — {w}") for w in windows]


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


RequestChangeList = changelist_deferring(*(f"quote__{name}" for name in QUOTE_HEAVY_FIELDS))


@admin.register(FundingRequest)
class FundingRequestAdmin(admin.ModelAdmin):
    change_form_template = "funding/admin/change_form.html"
    list_display = [
        "id",
        "quote_number",
        "editor",
        "client",
        "milestone",
        "status_badge",
        "amount_display",
        "submitted_at",
        "payment_reference",
    ]
    list_display_links = ["id", "quote_number"]
    list_filter = [AwaitingFilter, "status", "milestone", "quote__dsr", ("quote__window", WindowFilter)]
    search_fields = ["quote__number", "editor__name", "quote__client__name", "payment__reference"]
    list_select_related = ["quote", "quote__client", "editor", "payment"]
    # No date_hierarchy: its DISTINCT DATE_TRUNC over every request costs ~0.7 s at national
    # scale (bench/RESULTS.md); the submitted-date filter does the job. No full COUNT either.
    show_full_result_count = False
    list_per_page = 50  # the admin renders ~1 ms of CPU per row
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
    actions = ["validate_selected", "export_csv", "export_xlsx"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[FundingRequest]:
        return (
            super()
            .get_queryset(request)
            .select_related("quote", "quote__client", "quote__dsr", "editor", "payment")
        )

    def get_changelist(self, request: HttpRequest, **kwargs):
        return RequestChangeList

    # --- columns ---

    @admin.display(description="Devis", ordering="quote__number")
    def quote_number(self, obj: FundingRequest) -> str:
        return obj.quote.number

    @admin.display(description="Client", ordering="quote__client__name")
    def client(self, obj: FundingRequest) -> str:
        return obj.quote.client.name

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
        payment = getattr(obj, "payment", None)
        return payment.reference if payment else "—"

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
    def delivered_on(self, obj: FundingRequest):
        return obj.quote.delivered_on or "—"

    # --- custom views ---

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/valider/", view(self.validate_view), name="funding_fundingrequest_validate"),
            path("<int:pk>/a-modifier/", view(self.send_back_view), name="funding_fundingrequest_send_back"),
            path("<int:pk>/refuser/", view(self.refuse_view), name="funding_fundingrequest_refuse"),
            path("<int:pk>/versement/", view(self.payment_view), name="funding_fundingrequest_payment"),
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
        buttons = []
        for action in rules.WORKFLOW.available_actions(obj.status, Actor.ASP):
            url_name, perm = ASP_ACTION_PAGES[action]
            if request.user.has_perm(perm):
                url = reverse(url_name, args=[obj.pk])
                buttons.append({"url": url, "label": RequestAction(action).label})
        return {"workflow_buttons": buttons}

    def _get(self, request: HttpRequest, pk: int, perm: str) -> FundingRequest:
        if not request.user.has_perm(perm):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _render(self, request, obj, *, title: str, form, submit: str, intro: str = "") -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": title,
            "form": form,
            "submit_label": submit,
            "intro": intro,
            "amount": format_eur(obj.amount),
            "change_url": reverse("admin:funding_fundingrequest_change", args=[obj.pk]),
        }
        return TemplateResponse(request, "funding/admin/action_form.html", context)

    def _done(self, request, obj, message: str) -> HttpResponse:
        self.message_user(request, message, messages.SUCCESS)
        return redirect("admin:funding_fundingrequest_change", obj.pk)

    def validate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self._get(request, pk, INSTRUCT_PERM)
        form = ValidateForm(*_bound(request))
        if request.method == "POST" and form.is_valid():
            try:
                services.funding_request_validate(
                    request=obj, user=request.user, comment=form.cleaned_data["comment"]
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return self._done(request, obj, "La demande est validée ; le versement peut être enregistré.")
        return self._render(
            request,
            obj,
            title=f"Valider la demande : {obj}",
            form=form,
            submit="Valider la demande",
            intro=f"Montant à verser après validation : {format_eur(obj.amount)} TTC.",
        )

    def send_back_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self._get(request, pk, INSTRUCT_PERM)
        form = SendBackForm(*_bound(request))
        if request.method == "POST" and form.is_valid():
            try:
                services.funding_request_send_back(
                    request=obj,
                    user=request.user,
                    reasons=form.cleaned_data["reasons"],
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return self._done(request, obj, "La demande est renvoyée « à modifier » à l'éditeur.")
        return self._render(
            request,
            obj,
            title=f"Renvoyer « à modifier » : {obj}",
            form=form,
            submit="Renvoyer à l'éditeur",
        )

    def refuse_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self._get(request, pk, INSTRUCT_PERM)
        form = RefuseForm(*_bound(request))
        if request.method == "POST" and form.is_valid():
            try:
                services.funding_request_refuse(
                    request=obj, user=request.user, comment=form.cleaned_data["comment"]
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return self._done(request, obj, "La demande est refusée.")
        return self._render(request, obj, title=f"Refuser : {obj}", form=form, submit="Refuser")

    def payment_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self._get(request, pk, PAY_PERM)
        form = PaymentForm(*_bound(request), funding_request=obj)
        if request.method == "POST" and form.is_valid():
            try:
                payment = services.payment_record(
                    request=obj,
                    user=request.user,
                    paid_on=form.cleaned_data["paid_on"],
                    reference=form.cleaned_data["reference"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return self._done(
                    request,
                    obj,
                    f"Versement de {format_eur(payment.amount)} enregistré : la demande est "
                    "« décidée et payée ».",
                )
        return self._render(
            request,
            obj,
            title=f"Enregistrer le versement : {obj}",
            form=form,
            submit="Enregistrer le versement",
            intro=f"Montant versé : {format_eur(obj.amount)} TTC ({obj.get_milestone_display().lower()}).",
        )

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


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["__str__", "file_format", "status", "rows", "requested_by", "download"]
    list_filter = ["status", "file_format"]
    readonly_fields = [
        "requested_by",
        "file_format",
        "status",
        "rows",
        "error",
        "created_at",
        "finished_at",
        "download",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("requested_by")
        return qs if request.user.is_superuser else qs.filter(requested_by=request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Fichier")
    def download(self, obj: ExportJob) -> str:
        if not obj.file:
            return "—"
        url = reverse("admin:funding_exportjob_download", args=[obj.pk])
        return format_html('<a href="{}">Télécharger</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:pk>/telecharger/",
                self.admin_site.admin_view(self.download_view),
                name="funding_exportjob_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request: HttpRequest, pk: int) -> FileResponse:
        job = get_object_or_404(self.get_queryset(request), pk=pk)
        if not request.user.has_perm("funding.view_exportjob") or not job.file:
            raise Http404
        return FileResponse(
            job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1]
        )

# Admin pages kept in their own modules (registered on import): the ASP's bank-details queue
# and the payments (one by one from a request's page above; in batches, with the payment order
# and the import of accounting's answer file, in payments_admin.py).
from . import bank_admin, payments_admin  # noqa: E402, F401
