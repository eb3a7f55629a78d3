"""Editors' funding requests: their list and pages, the advance and the balance filed, the
answer to an « à modifier », the invoice."""

from django.db.models import QuerySet
from django.http import FileResponse
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
    TenantCursorPagination,
    error_responses,
    responses,
)
from segur_funding.organizations.apis import IsEditorMember
from segur_funding.quotes.selectors import quotes_for_editor

from .. import services
from ..models import FundingRequest
from ..selectors import requests_for_editor
from ..serializers import (
    AdvanceFileSerializer,
    BalanceFileSerializer,
    FundingRequestDetailSerializer,
    FundingRequestListSerializer,
    ResubmitSerializer,
)
from .common import (
    EDITOR_TAG,
    INVOICE_RESPONSE,
    RequestFilterSerializer,
    ScopedRequestViewSet,
    invoice_response,
)
from .examples import REQUEST_EXAMPLE, detail_example, paginated


@extend_schema_view(
    list=extend_schema(
        tags=[EDITOR_TAG],
        summary="Mes demandes de financement (avances et soldes)",
        description="Pagination par curseur, sans comptage.",
        parameters=[RequestFilterSerializer],
        responses=responses(FundingRequestListSerializer(many=True), *LIST_ERRORS, 403),
        examples=[OpenApiExample("Une avance payée", value=paginated(REQUEST_EXAMPLE), response_only=True)],
    ),
    retrieve=extend_schema(
        tags=[EDITOR_TAG],
        summary="Une demande : historique, demandes de modification, versement",
        responses=responses(FundingRequestDetailSerializer, *READ_ERRORS, 403),
        examples=[detail_example()],
    ),
)
class EditorFundingRequestViewSet(ScopedRequestViewSet):
    permission_classes = [IsEditorMember]
    pagination_class = TenantCursorPagination  # one editor's requests
    filter_serializer = RequestFilterSerializer

    def scoped(self) -> QuerySet[FundingRequest]:
        return requests_for_editor(user=self.request.user).select_related("editor")

    def _quote(self, quote_id: int):
        quote = quotes_for_editor(user=self.request.user).filter(pk=quote_id).first()
        if quote is None:
            raise serializers.ValidationError({"quote": ["Devis introuvable."]})
        return quote

    @extend_schema(
        tags=[EDITOR_TAG],
        summary="Déposer la demande d'avance (30 %) d'un devis signé",
        description="Le montant est calculé : 30 % de la prise en charge de l'État, arrondi au "
        "centime. Refusée si le devis n'est pas signé, hors délai de la fenêtre, ou si la commande "
        "antérieure au référencement ne respecte pas la règle des 120 jours.",
        request=AdvanceFileSerializer,
        responses=responses(FundingRequestDetailSerializer, 400, 401, 403, status=201),
        examples=[
            OpenApiExample("Avance du devis 33", value={"quote": 33, "comment": ""}, request_only=True),
            OpenApiExample(
                "Devis pas encore signé",
                value={"code": "QUOTE_NOT_SIGNED",
                       "message": "Le devis doit être signé par le client avant la demande d'avance."},
                response_only=True,
                status_codes=["400"],
            ),
            detail_example("Demande déposée"),
        ],
    )
    @action(detail=False, methods=["post"])
    def advance(self, request: Request) -> Response:
        data = AdvanceFileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        funding_request = services.advance_request_file(
            quote=self._quote(data.validated_data["quote"]),
            user=request.user,
            comment=data.validated_data["comment"],
        )
        return self._detail(funding_request.pk, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        tags=[EDITOR_TAG],
        summary="Déposer la demande de solde (70 %) avec la facture (multipart)",
        description="Après le versement de l'avance et la déclaration de mise en ordre de marche "
        "du client ; jamais après un refus. Le solde est la prise en charge moins l'avance versée.",
        request={"multipart/form-data": BalanceFileSerializer},
        responses=responses(FundingRequestDetailSerializer, 400, 401, 403, status=201),
        examples=[
            OpenApiExample(
                "Avance pas encore versée",
                value={"code": "BALANCE_NOT_ALLOWED",
                       "message": "Le solde ne peut pas être versé avant l'avance."},
                response_only=True,
                status_codes=["400"],
            ),
            detail_example("Demande déposée"),
        ],
    )
    @action(detail=False, methods=["post"], parser_classes=UPLOAD_PARSERS)
    def balance(self, request: Request) -> Response:
        data = BalanceFileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = data.validated_data["invoice"]
        try:
            funding_request = services.balance_request_file(
                quote=self._quote(data.validated_data["quote"]),
                user=request.user,
                invoice=invoice,
                comment=data.validated_data["comment"],
            )
        finally:
            invoice.close()
        return self._detail(funding_request.pk, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        tags=[EDITOR_TAG],
        summary="Répondre à une demande « à modifier » : corriger et redéposer",
        description="La réponse apporte exactement ce que demandent les motifs de la demande de "
        "modification ouverte (son champ `answer_parts`) : `signed_quote`, `invoice`, "
        "`delivery_declaration` (PDF), `amount`, `client_identity`, ou les coordonnées bancaires "
        "`holder`, `iban`, `bic` et `rib` (réservées aux administrateurs de l'éditeur ; validées "
        "par l'ASP avant tout versement), plus `comment`. Une réponse incomplète est refusée "
        "(`errors` par champ) et rien n'est enregistré. Multipart dès qu'un document est joint.",
        request={"multipart/form-data": ResubmitSerializer, "application/json": ResubmitSerializer},
        responses=responses(FundingRequestDetailSerializer, *COMMAND_ERRORS, 403),
        examples=[
            OpenApiExample(
                "Montant corrigé",
                value={"comment": "Montant aligné sur le devis.", "amount": "9882.00"},
                request_only=True,
            ),
            detail_example("Demande redéposée"),
        ],
    )
    @action(detail=True, methods=["post"], parser_classes=[*JSON_PARSERS, *UPLOAD_PARSERS])
    def resubmit(self, request: Request, pk: int) -> Response:
        funding_request = self.get_object()
        data = ResubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = dict(data.validated_data)
        uploads = [answer.get(name) for name in ("signed_quote", "invoice", "delivery_declaration", "rib")]
        bank_details = services.BankAnswer(
            holder=answer.pop("holder"),
            iban=answer.pop("iban"),
            bic=answer.pop("bic"),
            rib=answer.pop("rib", None),
        )
        try:
            services.funding_request_resubmit(
                request=funding_request, user=request.user, bank_details=bank_details, **answer
            )
        except services.CorrectionAnswerInvalid as exc:
            raise serializers.ValidationError(exc.errors) from None
        finally:
            for upload in uploads:
                if upload is not None:
                    upload.close()
        return self._detail(pk)

    @extend_schema(
        tags=[EDITOR_TAG],
        summary="La facture jointe à la demande",
        responses={**INVOICE_RESPONSE, **error_responses(*READ_ERRORS, 403)},
    )
    @action(detail=True, methods=["get"])
    def invoice(self, request: Request, pk: int) -> FileResponse:
        return invoice_response(self.get_object())
