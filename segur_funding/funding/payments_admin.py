"""Payments in the admin: the list (read-only), the payment order to send to accounting, and the
import of accounting's answer file (checked first, then recorded on confirmation)."""

import hashlib
import secrets

from django.contrib import admin, messages
from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from segur_funding.core import clock
from segur_funding.core.admin import LargeListAdmin
from segur_funding.core.errors import DomainError
from segur_funding.core.files import private_storage
from segur_funding.organizations.selectors import is_asp_reviewer

from . import payment_batch
from .models import Payment
from .resources import csv_stream, xlsx_bytes

PENDING_SESSION_KEY = "segur_payment_import"
MAX_FILE_BYTES = 5 * 1024 * 1024  # 20,000 rows of four short columns


@admin.register(Payment)
class PaymentAdmin(LargeListAdmin, admin.ModelAdmin):
    """Payments are recorded by services only (a request's « Enregistrer le versement », or the
    batch import below): the admin reads them, exports the payment order and imports the file."""

    change_list_template = "funding/admin/payment_changelist.html"
    list_display = ["reference", "quote", "milestone", "amount", "paid_on", "recorded_by"]
    list_filter = ["milestone", "paid_on"]
    search_fields = ["reference", "quote__number"]
    list_select_related = ["quote", "recorded_by"]
    # The latest recorded first, read from the primary key: the model's (-paid_on, -id) has no
    # index, and sorting 1.5 million payments for each page took 0.7 s at scale 0.1.
    ordering = ["-id"]
    readonly_fields = [
        "request",
        "quote",
        "milestone",
        "amount",
        "paid_on",
        "reference",
        "bank_account",
        "recorded_by",
        "recorded_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("ordre-de-paiement/", view(self.order_view), name="funding_payment_order"),
            path("importer/", view(self.import_view), name="funding_payment_import"),
            *super().get_urls(),
        ]

    def _forbidden(self, request: HttpRequest) -> bool:
        return not is_asp_reviewer(user=request.user)

    def order_view(self, request: HttpRequest) -> HttpResponse:
        if self._forbidden(request):
            return HttpResponse(status=403)
        order = payment_batch.payment_order()
        file_format = request.GET.get("format")
        if file_format in ("csv", "xlsx"):
            stamp = clock.today().isoformat()
            if file_format == "csv":
                response = StreamingHttpResponse(
                    csv_stream(order.rows), content_type="text/csv; charset=utf-8"
                )
            else:
                content, _count = xlsx_bytes(order.rows)
                response = HttpResponse(
                    content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                )
            response["Content-Disposition"] = (
                f'attachment; filename="ordre-de-paiement-{stamp}.{file_format}"'
            )
            return response
        return TemplateResponse(
            request,
            "funding/admin/payment_order.html",
            {
                **self.admin_site.each_context(request),
                "title": "Ordre de paiement",
                "opts": self.model._meta,
                "count": len(order.rows) - 1,
                "total": sum((row[-1] for row in order.rows[1:]), start=0),
                "without_bank_details": order.without_bank_details,
                "answer_columns": list(payment_batch.ANSWER_COLUMNS.values()),
            },
        )

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if self._forbidden(request):
            return HttpResponse(status=403)
        context = {
            **self.admin_site.each_context(request),
            "title": "Importer un fichier de versements",
            "opts": self.model._meta,
            "answer_columns": list(payment_batch.ANSWER_COLUMNS.values()),
        }
        if request.method == "POST" and request.POST.get("confirm"):
            return self._confirm(request, context)
        if request.method == "POST":
            upload = request.FILES.get("file")
            error = self._upload_error(upload)
            if error:
                context["errors"] = [error]
                return TemplateResponse(request, "funding/admin/payment_import.html", context, status=400)
            content = upload.read()
            file_format = "xlsx" if upload.name.lower().endswith(".xlsx") else "csv"
            try:
                outcome = payment_batch.payment_file_import(
                    content=content, file_format=file_format, user=request.user, dry_run=True
                )
            except DomainError as exc:
                outcome = payment_batch.ImportOutcome(lines=[], errors=[exc.message], dry_run=True)
            context["outcome"] = outcome
            context["file_name"] = upload.name
            if outcome.ok:
                token = secrets.token_urlsafe(16)
                name = private_storage().save(
                    f"imports-versements/{token}.{file_format}", ContentFile(content)
                )
                request.session[PENDING_SESSION_KEY] = {
                    "token": token,
                    "name": name,
                    "format": file_format,
                    "sha256": hashlib.sha256(content).hexdigest(),
                }
                context["token"] = token
            return TemplateResponse(
                request, "funding/admin/payment_import.html", context, status=200 if outcome.ok else 400
            )
        return TemplateResponse(request, "funding/admin/payment_import.html", context)

    @staticmethod
    def _upload_error(upload) -> str | None:
        if upload is None:
            return "Choisissez le fichier de versements (CSV ou XLSX) exporté de la comptabilité."
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            return "Le fichier doit être un CSV ou un XLSX."
        if upload.size > MAX_FILE_BYTES:
            return "Le fichier est trop volumineux (5 Mo au maximum) : découpez-le."
        return None

    def _confirm(self, request: HttpRequest, context: dict) -> HttpResponse:
        pending = request.session.get(PENDING_SESSION_KEY)
        if not pending or pending.get("token") != request.POST.get("confirm"):
            messages.error(request, "Cet aperçu n'est plus valable : déposez de nouveau le fichier.")
            return redirect("admin:funding_payment_import")
        storage = private_storage()
        with storage.open(pending["name"], "rb") as handle:
            content = handle.read()
        if hashlib.sha256(content).hexdigest() != pending["sha256"]:
            messages.error(request, "Le fichier a changé depuis l'aperçu : déposez-le de nouveau.")
            return redirect("admin:funding_payment_import")
        try:
            outcome = payment_batch.payment_file_import(
                content=content, file_format=pending["format"], user=request.user, dry_run=False
            )
        except DomainError as exc:
            outcome = payment_batch.ImportOutcome(lines=[], errors=[exc.message], dry_run=False)
        if not outcome.ok:
            context["outcome"] = outcome
            return TemplateResponse(request, "funding/admin/payment_import.html", context, status=400)
        storage.delete(pending["name"])
        del request.session[PENDING_SESSION_KEY]
        messages.success(
            request,
            f"{len(outcome.lines)} versements enregistrés ({outcome.total} €). Les éditeurs sont prévenus.",
        )
        return redirect(reverse("admin:funding_payment_changelist"))

