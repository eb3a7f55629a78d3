"""Labs: the quotes addressed to them, PDF upload, signature and delivery declaration."""

from django.http import FileResponse, HttpResponse
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from segur_funding.core.apis import (
    COMMAND_ERRORS,
    JSON_PARSERS,
    LIST_ERRORS,
    READ_ERRORS,
    UPLOAD_PARSERS,
    error_responses,
    responses,
)
from segur_funding.core.errors import InvalidInput
from segur_funding.organizations.apis import IsLabMember

from .. import services
from ..selectors import lab_for_upload, quotes_for_lab
from ..serializers import (
    DeliverySerializer,
    QuoteDetailSerializer,
    QuoteListSerializer,
    SignSerializer,
    UploadSerializer,
)
from .common import (
    LAB_TAG,
    PDF_RESPONSE,
    SIGNED_PDF_RESPONSE,
    QuoteFilterSerializer,
    ScopedQuoteViewSet,
    quote_pdf_response,
    signed_pdf_response,
)
from .examples import QUOTE_DETAIL_EXAMPLE, QUOTE_EXAMPLE, paginated_example


def _lab_command(summary: str, description: str = "", request=None, examples=()) -> dict:
    return {
        "tags": [LAB_TAG],
        "summary": summary,
        "description": description,
        "request": request,
        "responses": responses(QuoteDetailSerializer, *COMMAND_ERRORS, 403),
        "examples": [
            *examples,
            OpenApiExample("Le devis après la commande", value=QUOTE_DETAIL_EXAMPLE, response_only=True),
        ],
    }


@extend_schema_view(
    list=extend_schema(
        tags=[LAB_TAG],
        summary="Les devis reçus par mon laboratoire",
        description="Devis émis par les éditeurs (jamais leurs brouillons) et PDF déposés par le "
        "laboratoire. Pagination par curseur, sans comptage.",
        parameters=[QuoteFilterSerializer],
        responses=responses(QuoteListSerializer(many=True), *LIST_ERRORS, 403),
        examples=[OpenApiExample("Un devis", value=paginated_example(QUOTE_EXAMPLE), response_only=True)],
    ),
    retrieve=extend_schema(
        tags=[LAB_TAG],
        summary="Un devis avec son rapport de vérification",
        responses=responses(QuoteDetailSerializer, *READ_ERRORS, 403),
        examples=[OpenApiExample("Un devis conforme", value=QUOTE_DETAIL_EXAMPLE, response_only=True)],
    ),
    create=extend_schema(
        tags=[LAB_TAG],
        summary="Déposer un devis PDF reçu pour le faire vérifier",
        description="Le PDF est gardé et vérifié en arrière-plan (`check_status` passe de "
        "`pending` à `done` ou `failed`). Le contexte donné ici (DSR, dates) l'emporte sur ce "
        "que dit le PDF ; le nombre de sites est celui du laboratoire.",
        request={"multipart/form-data": UploadSerializer},
        responses=responses(QuoteDetailSerializer, 400, 401, 403, status=201),
        examples=[
            OpenApiExample(
                "PDF déposé, vérification en cours",
                value={**QUOTE_DETAIL_EXAMPLE, "origin": "uploaded", "origin_label": "PDF déposé par le "
                       "client", "editor": None, "editor_name": "Éditeur X", "check_status": "pending",
                       "verdict": "", "check_report": None, "lines": []},
                response_only=True,
            ),
        ],
    ),
)
class LabQuoteViewSet(ScopedQuoteViewSet):
    permission_classes = [IsLabMember]
    # The upload (create) is multipart; the commands take JSON (see their `parser_classes`).
    parser_classes = UPLOAD_PARSERS
    scope = staticmethod(quotes_for_lab)
    detail_serializer = QuoteDetailSerializer

    def create(self, request: Request) -> Response:
        data = UploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        try:
            client = lab_for_upload(user=request.user, client_id=fields.pop("client", None))
        except InvalidInput as exc:
            raise serializers.ValidationError({"client": [exc.message]}) from None
        upload = fields["file"]
        try:
            quote = services.quote_upload(user=request.user, client=client, **fields)
        finally:
            upload.close()
        return self._detail(quote.pk, status_code=status.HTTP_201_CREATED)

    @extend_schema(**_lab_command(
        "Signer le devis",
        "Le devis doit être émis, conforme et signé dans une fenêtre de financement ouverte "
        "(date du jour, heure de Paris), au nom d'un signataire (nom et fonction). Les options "
        "hors Ségur sont acceptées sauf celles listées dans `declined_lines` : une option refusée "
        "ne fait pas partie du devis signé ni de ses totaux ; la Prestation Ségur n'est jamais "
        "facultative. Hors délai, ou une ligne Ségur refusée : 400, rien n'est enregistré. La "
        "signature déclenche la demande d'avance de l'éditeur.",
        SignSerializer,
        [OpenApiExample(
            "Signé par la biologiste responsable, sans l'option n° 6",
            value={"signatory_name": "Dr Claire Martin", "signatory_role": "biologiste responsable",
                   "declined_lines": [6]},
            request_only=True,
        )],
    ))
    @action(detail=True, methods=["post"], parser_classes=JSON_PARSERS)
    def sign(self, request: Request, pk: int) -> Response:
        quote = self.get_object()
        data = SignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.quote_sign(quote=quote, user=request.user, **data.validated_data)
        return self._detail(pk)

    @extend_schema(**_lab_command(
        "Déclarer la mise en ordre de marche (prestation livrée)",
        "Ouvre à l'éditeur la demande de solde.",
        DeliverySerializer,
        [OpenApiExample("Livré le 20 septembre 2022", value={"delivered_on": "2022-09-20"},
                        request_only=True)],
    ))
    @action(detail=True, methods=["post"], parser_classes=JSON_PARSERS)
    def delivery(self, request: Request, pk: int) -> Response:
        quote = self.get_object()
        data = DeliverySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.quote_declare_delivery(
            quote=quote, user=request.user, delivered_on=data.validated_data.get("delivered_on")
        )
        return self._detail(pk)

    @extend_schema(
        tags=[LAB_TAG],
        summary="Le PDF du devis",
        responses={**PDF_RESPONSE, **error_responses(*READ_ERRORS, 403)},
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: int) -> FileResponse:
        return quote_pdf_response(self.get_object())

    @extend_schema(
        tags=[LAB_TAG],
        summary="Le PDF du devis signé",
        description="Le devis tel que signé : lignes acceptées, totaux après les options refusées, "
        "bloc d'acceptation (signataire, fonction, date, lignes acceptées et refusées). 404 tant "
        "que le devis n'est pas signé.",
        responses={**SIGNED_PDF_RESPONSE, **error_responses(*READ_ERRORS, 403)},
    )
    @action(detail=True, methods=["get"], url_path="signed-pdf")
    def signed_pdf(self, request: Request, pk: int) -> HttpResponse:
        return signed_pdf_response(self.get_object())
