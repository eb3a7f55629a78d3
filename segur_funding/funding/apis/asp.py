"""ASP reviewers: every editor's requests (the queue to decide, the queue to pay), and the
decisions (validate, send back, refuse) and the payment, through the same services as the admin."""

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from segur_funding.core.apis import (
    REVIEWER_COMMAND_ERRORS,
    REVIEWER_LIST_ERRORS,
    REVIEWER_READ_ERRORS,
    error_responses,
    responses,
)
from segur_funding.organizations.apis import IsAspReviewer

from .. import services
from ..models import FundingRequest
from ..serializers import (
    CommentSerializer,
    FundingRequestDetailSerializer,
    FundingRequestListSerializer,
    PaymentInputSerializer,
    RefuseSerializer,
    SendBackSerializer,
)
from .common import (
    ASP_TAG,
    INVOICE_RESPONSE,
    AspRequestFilterSerializer,
    ScopedRequestViewSet,
    invoice_response,
)
from .examples import REQUEST_EXAMPLE, detail_example, paginated


def _asp_requests() -> QuerySet[FundingRequest]:
    return FundingRequest.objects.select_related(
        "quote", "quote__client", "quote__dsr", "editor", "payment"
    )


def _asp_command(summary: str, request, examples=(), description: str = "") -> dict:
    return {
        "tags": [ASP_TAG],
        "summary": summary,
        "description": description,
        "request": request,
        "responses": responses(FundingRequestDetailSerializer, *REVIEWER_COMMAND_ERRORS),
        "examples": [*examples, detail_example("La demande après la décision")],
    }


@extend_schema_view(
    list=extend_schema(
        tags=[ASP_TAG],
        summary="Demandes de financement de tous les éditeurs",
        description="Pagination par curseur, sans comptage. `queue=decision` : la file à instruire ; "
        "`queue=payment` : les demandes validées à payer.",
        parameters=[AspRequestFilterSerializer],
        responses=responses(FundingRequestListSerializer(many=True), *REVIEWER_LIST_ERRORS),
        examples=[OpenApiExample("Une avance payée", value=paginated(REQUEST_EXAMPLE), response_only=True)],
    ),
    retrieve=extend_schema(
        tags=[ASP_TAG],
        summary="Une demande à instruire",
        responses=responses(FundingRequestDetailSerializer, *REVIEWER_READ_ERRORS),
        examples=[detail_example()],
    ),
)
class AspFundingRequestViewSet(ScopedRequestViewSet):
    permission_classes = [IsAspReviewer]
    filter_serializer = AspRequestFilterSerializer

    def scoped(self) -> QuerySet[FundingRequest]:
        return _asp_requests()

    def _input(self, serializer_class, request: Request) -> dict:
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data

    @extend_schema(**_asp_command(
        "Valider la demande",
        CommentSerializer,
        [OpenApiExample("Validation", value={"comment": ""}, request_only=True)],
        "Un solde n'est validé qu'après le versement de l'avance.",
    ))
    @action(detail=True, methods=["post"])
    def validate(self, request: Request, pk: int) -> Response:
        data = self._input(CommentSerializer, request)
        services.funding_request_validate(request=self.get_object(), user=request.user, **data)
        return self._detail(pk)

    @extend_schema(**_asp_command(
        "Renvoyer la demande « à modifier » à l'éditeur",
        SendBackSerializer,
        [OpenApiExample("RIB à compléter", value={"reasons": ["bank_details"], "comment": ""},
                        request_only=True)],
    ))
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request: Request, pk: int) -> Response:
        data = self._input(SendBackSerializer, request)
        services.funding_request_send_back(request=self.get_object(), user=request.user, **data)
        return self._detail(pk)

    @extend_schema(**_asp_command(
        "Refuser la demande",
        RefuseSerializer,
        [OpenApiExample("Refus", value={"comment": "Commande antérieure de plus de 120 jours."},
                        request_only=True)],
        "Un refus est définitif : aucun solde ne sera versé.",
    ))
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: int) -> Response:
        data = self._input(RefuseSerializer, request)
        services.funding_request_refuse(request=self.get_object(), user=request.user, **data)
        return self._detail(pk)

    @extend_schema(**_asp_command(
        "Enregistrer le versement d'une demande validée",
        PaymentInputSerializer,
        [
            OpenApiExample("Virement", value={"paid_on": "2022-06-15", "reference": "ASP-AV-0003"},
                           request_only=True),
            OpenApiExample(
                "Déjà payé",
                value={"code": "ALREADY_PAID", "message": "Ce versement a déjà été enregistré."},
                response_only=True,
                status_codes=["400"],
            ),
        ],
        "La demande devient « décidée et payée ». Chaque jalon d'un devis n'est payé qu'une fois, "
        "même si deux instructeurs enregistrent le versement en même temps.",
    ))
    @action(detail=True, methods=["post"])
    def payment(self, request: Request, pk: int) -> Response:
        funding_request = self.get_object()
        data = PaymentInputSerializer(data=request.data, context={"funding_request": funding_request})
        data.is_valid(raise_exception=True)
        services.payment_record(request=funding_request, user=request.user, **data.validated_data)
        return self._detail(pk)

    @extend_schema(
        tags=[ASP_TAG],
        summary="La facture jointe à la demande",
        responses={**INVOICE_RESPONSE, **error_responses(*REVIEWER_READ_ERRORS)},
    )
    @action(detail=True, methods=["get"])
    def invoice(self, request: Request, pk: int) -> FileResponse:
        return invoice_response(self.get_object())
