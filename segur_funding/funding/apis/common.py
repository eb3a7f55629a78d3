"""What the funding API views share: tags, list filters, the invoice, the scoped viewset."""

from django.db.models import QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from segur_funding.core.apis import (
    AUTHENTICATION,
    JSON_PARSERS,
    CursorPagination,
    IdField,
    IdOrdering,
    query_params,
)
from segur_funding.core.files import pdf_download
from segur_funding.quotes.selectors import QUOTE_HEAVY_FIELDS

from ..constants import AWAITING_ASP, Milestone, RequestStatus
from ..models import FundingRequest
from ..selectors import request_with_details
from ..serializers import FundingRequestDetailSerializer, FundingRequestListSerializer

EDITOR_TAG = "Éditeur — financement"
ASP_TAG = "ASP — instruction du financement"

INVOICE_RESPONSE = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="La facture (PDF)."),
}


def invoice_response(funding_request: FundingRequest) -> FileResponse:
    return pdf_download(funding_request.invoice, filename=funding_request.invoice_download_name)


class RequestFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RequestStatus.choices, required=False)
    milestone = serializers.ChoiceField(choices=Milestone.choices, required=False)
    dsr = serializers.CharField(required=False, help_text="Code du DSR du devis, ex. SGL-V1.")


class AspRequestFilterSerializer(RequestFilterSerializer):
    editor = IdField(required=False, help_text="Identifiant de l'éditeur.")
    queue = serializers.ChoiceField(
        choices=[("decision", "À instruire"), ("payment", "À payer")],
        required=False,
        help_text="`decision` : déposées ou redéposées ; `payment` : validées, à payer.",
    )


def filtered(queryset: QuerySet[FundingRequest], filters: dict) -> QuerySet[FundingRequest]:
    """A list page: the filters asked, without the quote's document and report (no list shows
    them; decoding a kilobyte of JSON per row is a good share of a page's CPU)."""
    queryset = queryset.defer(*(f"quote__{name}" for name in QUOTE_HEAVY_FIELDS))
    for key, lookup in (("status", "status"), ("milestone", "milestone"), ("dsr", "quote__dsr__code"),
                        ("editor", "editor_id")):
        if key in filters:
            queryset = queryset.filter(**{lookup: filters[key]})
    if filters.get("queue") == "decision":
        queryset = queryset.filter(status__in=AWAITING_ASP)
    elif filters.get("queue") == "payment":
        queryset = queryset.filter(status=RequestStatus.VALIDATED)
    return queryset


# Funding requests seen by one audience: `scoped()` says which (the editor's or all of them),
# `filter_serializer` which filters its list takes. (A comment, not a docstring: drf-spectacular
# would print a docstring as the description of every operation of the subclasses.)
class ScopedRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    authentication_classes = AUTHENTICATION
    pagination_class = CursorPagination
    filter_backends = [IdOrdering]
    parser_classes = JSON_PARSERS
    filter_serializer: type[serializers.Serializer]

    def scoped(self) -> QuerySet[FundingRequest]:
        raise NotImplementedError

    def get_queryset(self):
        queryset = self.scoped()
        if self.action == "list":
            return filtered(queryset, query_params(self.filter_serializer, self.request))
        if self.action == "retrieve":
            return request_with_details(queryset)
        return queryset

    def get_serializer_class(self):
        return FundingRequestListSerializer if self.action == "list" else FundingRequestDetailSerializer

    def _detail(self, pk: int, *, status_code: int = status.HTTP_200_OK) -> Response:
        funding_request = get_object_or_404(request_with_details(self.scoped()), pk=pk)
        return Response(FundingRequestDetailSerializer(funding_request).data, status=status_code)
