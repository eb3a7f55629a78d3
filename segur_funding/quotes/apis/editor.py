"""Editors: write, check, issue and cancel their quotes."""

from django.http import FileResponse, HttpResponse
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from segur_funding.core.apis import (
    COMMAND_ERRORS,
    JSON_PARSERS,
    LIST_ERRORS,
    READ_ERRORS,
    error_responses,
    responses,
)
from segur_funding.organizations.apis import IsEditorMember

from .. import services
from ..selectors import quotes_for_editor
from ..serializers import EditorQuoteDetailSerializer, QuoteListSerializer, QuoteWriteSerializer
from .common import (
    EDITOR_TAG,
    PDF_RESPONSE,
    SIGNED_PDF_RESPONSE,
    QuoteFilterSerializer,
    ScopedQuoteViewSet,
    quote_pdf_response,
    signed_pdf_response,
)
from .examples import EDITOR_QUOTE_DETAIL_EXAMPLE, QUOTE_EXAMPLE, QUOTE_WRITE_EXAMPLE, paginated_example


def _editor_command(summary: str, description: str = "") -> dict:
    return {
        "tags": [EDITOR_TAG],
        "summary": summary,
        "description": description,
        "request": None,
        "responses": responses(EditorQuoteDetailSerializer, *COMMAND_ERRORS, 403),
        "examples": [
            OpenApiExample("Le devis après la commande", value=EDITOR_QUOTE_DETAIL_EXAMPLE,
                           response_only=True),
            OpenApiExample(
                "Devis non conforme",
                value={"code": "NOT_CONFORM", "message": "Ce devis n'est pas conforme : corrigez-le "
                       "avant de l'émettre. Le client paierait 1 500,00 € TTC pour la Prestation "
                       "Ségur : le reste à charge doit être nul."},
                response_only=True,
                status_codes=["400"],
            ),
        ],
    }


@extend_schema_view(
    list=extend_schema(
        tags=[EDITOR_TAG],
        summary="Mes devis (rédigés dans segur_funding)",
        description="Pagination par curseur (liens `next` / `previous`), sans comptage.",
        parameters=[QuoteFilterSerializer],
        responses=responses(QuoteListSerializer(many=True), *LIST_ERRORS, 403),
        examples=[OpenApiExample("Un devis", value=paginated_example(QUOTE_EXAMPLE), response_only=True)],
    ),
    retrieve=extend_schema(
        tags=[EDITOR_TAG],
        summary="Un devis : lignes, rapport de vérification, historique, financement",
        responses=responses(EditorQuoteDetailSerializer, *READ_ERRORS, 403),
        examples=[OpenApiExample("Un devis émis", value=EDITOR_QUOTE_DETAIL_EXAMPLE, response_only=True)],
    ),
    create=extend_schema(
        tags=[EDITOR_TAG],
        summary="Rédiger un devis (brouillon, vérifié aussitôt)",
        description="Le DSR et l'éditeur sont ceux du dossier de référencement choisi. Le devis est "
        "vérifié à l'enregistrement ; le rapport dit ce qu'il faut corriger avant de l'émettre.",
        request=QuoteWriteSerializer,
        responses=responses(EditorQuoteDetailSerializer, 400, 401, 403, status=201),
        examples=[
            OpenApiExample("Devis SGL, tranche B", value=QUOTE_WRITE_EXAMPLE, request_only=True),
            OpenApiExample("Brouillon enregistré", value={**EDITOR_QUOTE_DETAIL_EXAMPLE, "status": "draft",
                           "status_label": "Brouillon", "has_pdf": False}, response_only=True),
        ],
    ),
    update=extend_schema(
        tags=[EDITOR_TAG],
        summary="Modifier un brouillon (remplace toutes ses lignes)",
        request=QuoteWriteSerializer,
        responses=responses(EditorQuoteDetailSerializer, *COMMAND_ERRORS, 403),
        examples=[
            OpenApiExample("Devis corrigé", value=QUOTE_WRITE_EXAMPLE, request_only=True),
            OpenApiExample("Brouillon modifié", value={**EDITOR_QUOTE_DETAIL_EXAMPLE, "status": "draft",
                           "status_label": "Brouillon", "has_pdf": False}, response_only=True),
        ],
    ),
)
class EditorQuoteViewSet(ScopedQuoteViewSet):
    permission_classes = [IsEditorMember]
    parser_classes = JSON_PARSERS
    scope = staticmethod(quotes_for_editor)
    detail_serializer = EditorQuoteDetailSerializer

    def create(self, request: Request) -> Response:
        data = QuoteWriteSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        fields = data.service_fields()
        quote = services.quote_create(
            user=request.user,
            editor=fields["dossier"].editor,
            number=data.validated_data["number"],
            **fields,
        )
        return self._detail(quote.pk, status_code=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int) -> Response:
        quote = self.get_object()
        data = QuoteWriteSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        services.quote_update(quote=quote, user=request.user, **data.service_fields())
        return self._detail(quote.pk)

    @extend_schema(**_editor_command(
        "Vérifier de nouveau le devis",
        "Relance le vérificateur (les dates du dossier de référencement sont relues) et garde le "
        "rapport. Un devis signé garde le rapport signé : la nouvelle vérification est ajoutée à "
        "son historique (`events`), sans rien modifier d'autre.",
    ))
    @action(detail=True, methods=["post"])
    def check(self, request: Request, pk: int) -> Response:
        services.quote_check(quote=self.get_object(), user=request.user)
        return self._detail(pk)

    @extend_schema(**_editor_command(
        "Émettre le devis",
        "Seul un brouillon conforme s'émet ; son document est figé et son PDF généré en arrière-plan. "
        "Le client peut alors le consulter et le signer.",
    ))
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: int) -> Response:
        services.quote_issue(quote=self.get_object(), user=request.user)
        return self._detail(pk)

    @extend_schema(**_editor_command("Annuler le devis", "Brouillon ou devis émis non signé."))
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: int) -> Response:
        services.quote_cancel(quote=self.get_object(), user=request.user)
        return self._detail(pk)

    @extend_schema(
        tags=[EDITOR_TAG],
        summary="Le PDF du devis émis",
        responses={**PDF_RESPONSE, **error_responses(*READ_ERRORS, 403)},
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: int) -> FileResponse:
        return quote_pdf_response(self.get_object())

    @extend_schema(
        tags=[EDITOR_TAG],
        summary="Le PDF du devis signé par le client",
        description="Lignes acceptées, totaux après les options refusées et bloc d'acceptation "
        "(signataire, fonction, date). 404 tant que le devis n'est pas signé.",
        responses={**SIGNED_PDF_RESPONSE, **error_responses(*READ_ERRORS, 403)},
    )
    @action(detail=True, methods=["get"], url_path="signed-pdf")
    def signed_pdf(self, request: Request, pk: int) -> HttpResponse:
        return signed_pdf_response(self.get_object())
