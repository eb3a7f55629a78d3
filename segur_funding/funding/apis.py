"""Funding API: editors file the advance and the balance (with the invoice) and answer an
"à modifier"; ASP reviewers read every request and validate, send back, refuse or record the
payment, through the same services as the admin.

Editors' querysets start from their organisations (another editor's request answers 404); the
amounts are computed by the services, never sent by the client.
"""

from django.db.models import QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from segur_funding.core.apis import (
    AUTHENTICATION,
    COMMAND_ERRORS,
    JSON_PARSERS,
    LIST_ERRORS,
    READ_ERRORS,
    REVIEWER_COMMAND_ERRORS,
    REVIEWER_LIST_ERRORS,
    REVIEWER_READ_ERRORS,
    UPLOAD_PARSERS,
    CursorPagination,
    IdField,
    IdOrdering,
    error_responses,
    query_params,
    responses,
)
from segur_funding.core.files import pdf_download
from segur_funding.organizations.apis import IsAspReviewer, IsEditorMember
from segur_funding.quotes.selectors import QUOTE_HEAVY_FIELDS, quotes_for_editor

from . import services
from .constants import AWAITING_ASP, Milestone, RequestStatus
from .models import FundingRequest
from .selectors import request_with_details, requests_for_editor
from .serializers import (
    AdvanceFileSerializer,
    BalanceFileSerializer,
    CommentSerializer,
    FundingRequestDetailSerializer,
    FundingRequestListSerializer,
    PaymentInputSerializer,
    RefuseSerializer,
    ResubmitSerializer,
    SendBackSerializer,
)

EDITOR_TAG = "Éditeur — financement"
ASP_TAG = "ASP — instruction du financement"

REQUEST_EXAMPLE = {
    "id": 8,
    "quote": 33,
    "quote_number": "D-2022-0043",
    "editor": 1,
    "editor_name": "Biologiciel SAS",
    "client": 3,
    "client_name": "Laboratoire BioRhône",
    "dsr": "SGL-V1",
    "milestone": "advance",
    "milestone_label": "Avance",
    "status": "paid",
    "status_label": "Décidée et payée",
    "funded_amount": "32940.00",
    "amount": "9882.00",
    "has_invoice": False,
    "submitted_at": "2022-06-02T09:00:00+02:00",
    "decided_at": "2022-06-10T14:00:00+02:00",
    "payment": {"amount": "9882.00", "paid_on": "2022-06-15", "reference": "ASP-AV-0003",
                "recorded_at": "2022-06-15T16:00:00+02:00"},
}
REQUEST_DETAIL_EXAMPLE = {
    **REQUEST_EXAMPLE,
    "editor_comment": "",
    "next_statuses": {},
    "next_actions": {},
    "corrections": [],
    "events": [
        {"from_status": "draft", "from_status_label": "Brouillon", "to_status": "submitted",
         "to_status_label": "Déposée", "at": "2022-06-02T09:00:00+02:00", "comment": ""},
        {"from_status": "submitted", "from_status_label": "Déposée", "to_status": "validated",
         "to_status_label": "Validée", "at": "2022-06-10T14:00:00+02:00", "comment": ""},
        {"from_status": "validated", "from_status_label": "Validée", "to_status": "paid",
         "to_status_label": "Décidée et payée", "at": "2022-06-15T16:00:00+02:00",
         "comment": "Versement ASP-AV-0003 du 15/06/2022"},
    ],
}


def _paginated(item: dict) -> dict:
    return {"next": "https://…/?cursor=cD04", "previous": None, "results": [item]}


def _detail_example(summary: str = "La demande") -> OpenApiExample:
    return OpenApiExample(summary, value=REQUEST_DETAIL_EXAMPLE, response_only=True)


INVOICE_RESPONSE = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="La facture (PDF)."),
}


def _invoice(funding_request: FundingRequest) -> FileResponse:
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


def _filtered(queryset: QuerySet[FundingRequest], filters: dict) -> QuerySet[FundingRequest]:
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


def _details(queryset: QuerySet[FundingRequest]) -> QuerySet[FundingRequest]:
    return request_with_details(queryset)


# --- Editors ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        tags=[EDITOR_TAG],
        summary="Mes demandes de financement (avances et soldes)",
        description="Pagination par curseur, sans comptage.",
        parameters=[RequestFilterSerializer],
        responses=responses(FundingRequestListSerializer(many=True), *LIST_ERRORS, 403),
        examples=[OpenApiExample("Une avance payée", value=_paginated(REQUEST_EXAMPLE), response_only=True)],
    ),
    retrieve=extend_schema(
        tags=[EDITOR_TAG],
        summary="Une demande : historique, demandes de modification, versement",
        responses=responses(FundingRequestDetailSerializer, *READ_ERRORS, 403),
        examples=[_detail_example()],
    ),
)
class EditorFundingRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [IsEditorMember]
    authentication_classes = AUTHENTICATION
    pagination_class = CursorPagination
    filter_backends = [IdOrdering]
    parser_classes = JSON_PARSERS

    def get_queryset(self):
        queryset = requests_for_editor(user=self.request.user).select_related("editor")
        if self.action == "list":
            return _filtered(queryset, query_params(RequestFilterSerializer, self.request))
        if self.action == "retrieve":
            return _details(queryset)
        return queryset

    def get_serializer_class(self):
        return FundingRequestListSerializer if self.action == "list" else FundingRequestDetailSerializer

    def _detail(self, pk: int, *, status_code: int = status.HTTP_200_OK) -> Response:
        funding_request = get_object_or_404(
            _details(requests_for_editor(user=self.request.user).select_related("editor")), pk=pk
        )
        return Response(FundingRequestDetailSerializer(funding_request).data, status=status_code)

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
            _detail_example("Demande déposée"),
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
            _detail_example("Demande déposée"),
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
            _detail_example("Demande redéposée"),
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
        return _invoice(self.get_object())


# --- ASP ----------------------------------------------------------------------------------------


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
        "examples": [*examples, _detail_example("La demande après la décision")],
    }


@extend_schema_view(
    list=extend_schema(
        tags=[ASP_TAG],
        summary="Demandes de financement de tous les éditeurs",
        description="Pagination par curseur, sans comptage. `queue=decision` : la file à instruire ; "
        "`queue=payment` : les demandes validées à payer.",
        parameters=[AspRequestFilterSerializer],
        responses=responses(FundingRequestListSerializer(many=True), *REVIEWER_LIST_ERRORS),
        examples=[OpenApiExample("Une avance payée", value=_paginated(REQUEST_EXAMPLE), response_only=True)],
    ),
    retrieve=extend_schema(
        tags=[ASP_TAG],
        summary="Une demande à instruire",
        responses=responses(FundingRequestDetailSerializer, *REVIEWER_READ_ERRORS),
        examples=[_detail_example()],
    ),
)
class AspFundingRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAspReviewer]
    authentication_classes = AUTHENTICATION
    pagination_class = CursorPagination
    filter_backends = [IdOrdering]
    parser_classes = JSON_PARSERS

    def get_queryset(self):
        if self.action == "list":
            return _filtered(_asp_requests(), query_params(AspRequestFilterSerializer, self.request))
        if self.action == "retrieve":
            return _details(_asp_requests())
        return _asp_requests()

    def get_serializer_class(self):
        return FundingRequestListSerializer if self.action == "list" else FundingRequestDetailSerializer

    def _detail(self, pk: int) -> Response:
        funding_request = get_object_or_404(_details(_asp_requests()), pk=pk)
        return Response(FundingRequestDetailSerializer(funding_request).data)

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
        return _invoice(self.get_object())

