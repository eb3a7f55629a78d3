"""Exports of funding requests for the ASP and accounting (django-import-export resources).

CSV is streamed row by row; XLSX is written with openpyxl's write-only mode. Any text cell that a
spreadsheet could read as a formula (starting with = + - @, a tab or a carriage return) is
neutralised with a leading apostrophe: a lab or editor name is data, never a formula.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from import_export import fields, resources

from .models import FundingRequest

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_DELIMITER = ";"  # what French spreadsheet software opens without a wizard


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _local(value):
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


class FundingRequestResource(resources.ModelResource):
    request_id = fields.Field(attribute="pk", column_name="N° de demande")
    quote_number = fields.Field(attribute="quote__number", column_name="Devis")
    editor_name = fields.Field(attribute="editor__name", column_name="Éditeur")
    editor_siren = fields.Field(attribute="editor__siren", column_name="SIREN éditeur")
    client_name = fields.Field(attribute="quote__client__name", column_name="Client")
    client_siret = fields.Field(attribute="quote__client__siret", column_name="SIRET client")
    dsr = fields.Field(attribute="quote__dsr__code", column_name="DSR")
    milestone_label = fields.Field(column_name="Jalon")
    status_label = fields.Field(column_name="Statut")
    funded = fields.Field(column_name="Montant financé TTC (€)")
    requested = fields.Field(column_name="Montant demandé TTC (€)")
    submitted = fields.Field(column_name="Déposée le")
    decided = fields.Field(column_name="Décidée le")
    paid_on = fields.Field(column_name="Versée le")
    paid_amount = fields.Field(column_name="Montant versé TTC (€)")
    payment_reference = fields.Field(column_name="Référence du versement")

    class Meta:
        model = FundingRequest
        fields = (
            "request_id",
            "quote_number",
            "editor_name",
            "editor_siren",
            "client_name",
            "client_siret",
            "dsr",
            "milestone_label",
            "status_label",
            "funded",
            "requested",
            "submitted",
            "decided",
            "paid_on",
            "paid_amount",
            "payment_reference",
        )
        export_order = fields

    # Amounts stay Decimal: numbers in XLSX, French decimal comma in CSV.
    def dehydrate_funded(self, obj: FundingRequest):
        return obj.funded_amount

    def dehydrate_requested(self, obj: FundingRequest):
        return obj.amount

    def dehydrate_milestone_label(self, obj: FundingRequest) -> str:
        return obj.get_milestone_display()

    def dehydrate_status_label(self, obj: FundingRequest) -> str:
        return obj.get_status_display()

    def dehydrate_submitted(self, obj: FundingRequest) -> str:
        return _local(obj.submitted_at)

    def dehydrate_decided(self, obj: FundingRequest) -> str:
        return _local(obj.decided_at)

    def _payment(self, obj: FundingRequest):
        return getattr(obj, "payment", None)

    def dehydrate_paid_on(self, obj: FundingRequest) -> str:
        payment = self._payment(obj)
        return payment.paid_on.strftime("%d/%m/%Y") if payment else ""

    def dehydrate_paid_amount(self, obj: FundingRequest):
        payment = self._payment(obj)
        return payment.amount if payment else ""

    def dehydrate_payment_reference(self, obj: FundingRequest) -> str:
        payment = self._payment(obj)
        return payment.reference if payment else ""

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))


def export_queryset(queryset: QuerySet[FundingRequest]) -> QuerySet[FundingRequest]:
    """One query for every row: the related rows come joined."""
    return queryset.select_related("quote", "quote__client", "quote__dsr", "editor", "payment")


def export_rows(queryset: QuerySet[FundingRequest]) -> Iterator[list]:
    resource = FundingRequestResource()
    yield resource.get_export_headers()
    for obj in export_queryset(queryset).order_by("pk").iterator(chunk_size=500):
        yield resource.export_resource(obj)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[list]) -> Iterator[str]:
    """CSV lines one at a time (for StreamingHttpResponse), with a BOM so Excel reads UTF-8."""
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER)
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([_csv_cell(value) for value in row])


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")  # French decimal comma
    return value


def xlsx_bytes(rows: Iterable[list]) -> tuple[bytes, int]:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Demandes de financement")
    count = -1
    for row in rows:
        sheet.append(row)
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), max(count, 0)


def export_bytes(queryset: QuerySet[FundingRequest], *, file_format: str) -> tuple[bytes, int]:
    """The whole export as bytes (for background jobs) and its number of data rows."""
    if file_format == "xlsx":
        return xlsx_bytes(export_rows(queryset))
    lines = list(csv_stream(export_rows(queryset)))
    return "".join(lines).encode("utf-8"), max(len(lines) - 2, 0)
