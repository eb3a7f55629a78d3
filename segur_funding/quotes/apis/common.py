"""What the quotes API views share: tags, list filters, the PDF answer."""

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from segur_funding.core.apis import IdField

from ..constants import Verdict
from ..models import QuoteStatus

EDITOR_TAG = "Éditeur — devis"
LAB_TAG = "Laboratoire — devis"
PUBLIC_TAG = "Public"


PDF_RESPONSE = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="Le PDF du devis."),
}


def quote_pdf_response(quote) -> FileResponse:
    if not quote.pdf:
        raise Http404
    return FileResponse(
        quote.pdf.open("rb"),
        as_attachment=True,
        filename=f"devis-{quote.number or quote.pk}.pdf",
        content_type="application/pdf",
    )


class QuoteFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=QuoteStatus.choices, required=False)
    verdict = serializers.ChoiceField(choices=Verdict.choices, required=False)
    dsr = serializers.CharField(required=False, help_text="Code du DSR, ex. SGL-V1.")
    client = IdField(required=False, help_text="Identifiant du client.")


def quotes_filtered(queryset: QuerySet, filters: dict) -> QuerySet:
    """A list page: the filters asked, without the rows and columns the list does not show
    (window, dossier, document; its two amounts come from the report, which stays)."""
    queryset = queryset.select_related(None).select_related("editor", "client", "dsr")
    queryset = queryset.defer("document", "overrides")
    for key, lookup in (("status", "status"), ("verdict", "verdict"), ("dsr", "dsr__code"),
                        ("client", "client_id")):
        if key in filters:
            queryset = queryset.filter(**{lookup: filters[key]})
    return queryset
