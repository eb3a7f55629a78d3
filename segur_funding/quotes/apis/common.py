"""What the quotes API views share: tags, list filters, the PDF answer, the scoped viewset."""

from collections.abc import Callable

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from segur_funding.core.apis import (
    AUTHENTICATION,
    IdField,
    IdOrdering,
    TenantCursorPagination,
    query_params,
)
from segur_funding.core.errors import DomainError
from segur_funding.core.files import pdf_download

from .. import services
from ..constants import Verdict
from ..models import QuoteStatus
from ..selectors import quote_with_details
from ..serializers import QuoteListSerializer

EDITOR_TAG = "Éditeur — devis"
LAB_TAG = "Laboratoire — devis"
PUBLIC_TAG = "Public"


PDF_RESPONSE = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="Le PDF du devis."),
}


SIGNED_PDF_RESPONSE = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="Le PDF du devis signé."),
}


def quote_pdf_response(quote) -> FileResponse:
    return pdf_download(quote.pdf, filename=quote.pdf_download_name)


def signed_pdf_response(quote) -> HttpResponse:
    """The signed quote's PDF (made from the signed rows); 404 while the quote is not signed."""
    try:
        content = services.signed_quote_pdf_bytes(quote_with_details(type(quote).objects).get(pk=quote.pk))
    except DomainError:
        raise Http404 from None
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{quote.signed_pdf_download_name}"'
    return response


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


class ScopedQuoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Quotes seen by one audience: `scope(user=…)` says which (the editor's or the lab's), and
    `detail_serializer` how one quote is shown after a read or a command."""

    authentication_classes = AUTHENTICATION
    pagination_class = TenantCursorPagination  # one editor's or one lab's quotes
    filter_backends = [IdOrdering]
    scope: Callable[..., QuerySet]
    detail_serializer: type[serializers.Serializer]

    def _scoped(self) -> QuerySet:
        return self.scope(user=self.request.user)

    def get_queryset(self):
        queryset = self._scoped()
        if self.action == "list":
            return quotes_filtered(queryset, query_params(QuoteFilterSerializer, self.request))
        if self.action == "retrieve":
            return quote_with_details(queryset)
        return queryset

    def get_serializer_class(self):
        return QuoteListSerializer if self.action == "list" else self.detail_serializer

    def _detail(self, pk: int, *, status_code: int = status.HTTP_200_OK) -> Response:
        quote = get_object_or_404(quote_with_details(self._scoped()), pk=pk)
        return Response(self.detail_serializer(quote).data, status=status_code)
