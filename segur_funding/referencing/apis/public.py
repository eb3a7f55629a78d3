"""Public: the list of referenced solutions, without an account."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets

from segur_funding.core.apis import (
    JSON_PARSERS,
    PUBLIC_THROTTLES,
    IdField,
    PagePagination,
    query_params,
    responses,
)

from .. import selectors
from ..serializers import ReferencedSolutionSerializer
from .common import PUBLIC_TAG


class ReferencedFilterSerializer(serializers.Serializer):
    dsr = serializers.CharField(required=False, help_text="Code du DSR, ex. SGL-V1.")
    editor = IdField(required=False, help_text="Identifiant de l'éditeur.")


@extend_schema_view(
    list=extend_schema(
        tags=[PUBLIC_TAG],
        summary="Solutions référencées",
        description="Liste publique, sans authentification, triée par DSR, éditeur et solution.",
        parameters=[ReferencedFilterSerializer],
        responses=responses(ReferencedSolutionSerializer(many=True), 400, 429),
        examples=[
            OpenApiExample(
                "BioLab SGL 5.2",
                value={
                    "count": 1,
                    "next": None,
                    "previous": None,
                    "results": [
                        {
                            "referencing_number": "SGL-V1-2022-0001",
                            "referenced_on": "2022-03-01",
                            "dsr": "SGL-V1",
                            "software": "Système de Gestion de Laboratoire",
                            "editor": 1,
                            "editor_name": "Biologiciel SAS",
                            "solution": "BioLab SGL",
                            "version": "5.2",
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
)
class ReferencedSolutionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ReferencedSolutionSerializer
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    pagination_class = PagePagination
    throttle_classes = PUBLIC_THROTTLES
    parser_classes = JSON_PARSERS

    def get_queryset(self):
        filters = query_params(ReferencedFilterSerializer, self.request)
        return selectors.referenced_dossiers(
            dsr_code=filters.get("dsr"), editor_id=filters.get("editor")
        )
