"""API: who am I (organisations, roles), the clients an editor can quote, reviewer permissions."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from segur_funding.core.apis import AUTHENTICATION, JSON_PARSERS, PagePagination, responses

from .models import Organization
from .selectors import (
    clients_list,
    is_ans_reviewer,
    is_asp_reviewer,
    user_clients,
    user_editors,
    user_organizations,
)


class IsEditorMember(permissions.BasePermission):
    """Editor endpoints: their querysets are scoped anyway; this only gives a clear 403."""

    message = "Réservé aux membres d'un éditeur."

    def has_permission(self, request: Request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) and user_editors(
            user=request.user
        ).exists()


class IsLabMember(permissions.BasePermission):
    message = "Réservé aux membres d'un laboratoire ou d'un établissement client."

    def has_permission(self, request: Request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) and user_clients(
            user=request.user
        ).exists()


class IsAnsReviewer(permissions.BasePermission):
    message = "Réservé aux instructeurs de l'ANS."

    def has_permission(self, request: Request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) and is_ans_reviewer(
            user=request.user
        )


class IsAspReviewer(permissions.BasePermission):
    message = "Réservé aux instructeurs de l'ASP."

    def has_permission(self, request: Request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) and is_asp_reviewer(
            user=request.user
        )


class OrganizationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "kind", "kind_label", "name", "siren", "siret", "finess", "geographic_sites"]
        read_only_fields = fields


class ClientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "siret", "finess", "client_kind", "geographic_sites"]
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    organizations = OrganizationSerializer(many=True)
    is_editor = serializers.BooleanField(help_text="Membre d'au moins un éditeur.")
    is_lab = serializers.BooleanField(help_text="Membre d'au moins un client (laboratoire).")
    is_ans_reviewer = serializers.BooleanField()
    is_asp_reviewer = serializers.BooleanField()


ME_EXAMPLE = OpenApiExample(
    "Un membre d'éditeur",
    value={
        "email": "editeur@demo.test",
        "first_name": "Élise",
        "last_name": "Martin",
        "organizations": [
            {
                "id": 1,
                "kind": "editor",
                "kind_label": "Éditeur",
                "name": "Biologiciel SAS",
                "siren": "732829320",
                "siret": "",
                "finess": "",
                "geographic_sites": None,
            }
        ],
        "is_editor": True,
        "is_lab": False,
        "is_ans_reviewer": False,
        "is_asp_reviewer": False,
    },
    response_only=True,
)


class MeView(APIView):
    authentication_classes = AUTHENTICATION
    parser_classes = JSON_PARSERS
    @extend_schema(
        tags=["Compte"],
        operation_id="me",
        summary="Mon compte : organisations et rôles",
        responses=responses(MeSerializer, 401),
        examples=[ME_EXAMPLE],
    )
    def get(self, request: Request) -> Response:
        user = request.user
        organizations = list(user_organizations(user=user).order_by("name"))
        data = {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "organizations": organizations,
            "is_editor": any(o.kind == "editor" for o in organizations),
            "is_lab": any(o.kind == "client" for o in organizations),
            "is_ans_reviewer": is_ans_reviewer(user=user),
            "is_asp_reviewer": is_asp_reviewer(user=user),
        }
        return Response(MeSerializer(data).data)


@extend_schema_view(
    list=extend_schema(
        tags=["Éditeur — devis"],
        summary="Clients (laboratoires) à qui adresser un devis",
        description="Tous les clients connus, avec leur nombre de sites géographiques (qui "
        "détermine la tranche du barème). Réservé aux membres d'un éditeur.",
        responses=responses(ClientSerializer(many=True), 401, 403),
        examples=[
            OpenApiExample(
                "Un client",
                value={
                    "count": 1,
                    "next": None,
                    "previous": None,
                    "results": [
                        {
                            "id": 3,
                            "name": "Laboratoire BioRhône",
                            "siret": "44306184000015",
                            "finess": "",
                            "client_kind": "city_lab",
                            "geographic_sites": 12,
                        }
                    ],
                },
                response_only=True,
            )
        ],
    ),
)
class ClientViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ClientSerializer
    permission_classes = [IsEditorMember]
    authentication_classes = AUTHENTICATION
    parser_classes = JSON_PARSERS
    pagination_class = PagePagination

    def get_queryset(self):
        return clients_list()
