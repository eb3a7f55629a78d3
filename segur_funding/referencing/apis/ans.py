"""ANS reviewers: the queue of every dossier and the instruction commands."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from segur_funding.core.apis import (
    AUTHENTICATION,
    JSON_PARSERS,
    REVIEWER_COMMAND_ERRORS,
    REVIEWER_LIST_ERRORS,
    REVIEWER_READ_ERRORS,
    CursorPagination,
    IdOrdering,
    query_params,
    responses,
)
from segur_funding.organizations.apis import IsAnsReviewer
from segur_funding.referential.models import Requirement

from .. import services
from ..constants import Actor
from ..models import Dossier
from ..serializers import (
    AcceptedCountSerializer,
    CorrectionRequestSerializer,
    DossierDetailSerializer,
    DossierListSerializer,
    EligibilitySerializer,
    GrantSerializer,
    ProofReviewSerializer,
    RequiredCommentSerializer,
)
from .common import ANS_TAG, PROOF_PK, AnsDossierFilterSerializer, dossier_with_details, dossiers_filtered
from .examples import DOSSIER_EXAMPLE, detail_example, paginated_example


def _ans_dossiers() -> QuerySet[Dossier]:
    return Dossier.objects.select_related(
        "editor", "dsr", "solution_version", "solution_version__solution"
    ).order_by("-id")


def _ans_command(summary: str, request=None, examples: list | None = None, description: str = "") -> dict:
    return {
        "tags": [ANS_TAG],
        "summary": summary,
        "description": description,
        "request": request,
        "responses": responses(DossierDetailSerializer, *REVIEWER_COMMAND_ERRORS),
        "examples": [*(examples or []), detail_example("Le dossier après la décision")],
    }


@extend_schema_view(
    list=extend_schema(
        tags=[ANS_TAG],
        summary="File des dossiers de référencement (tous les éditeurs)",
        description="Pagination par curseur, sans comptage.",
        parameters=[AnsDossierFilterSerializer],
        responses=responses(DossierListSerializer(many=True), *REVIEWER_LIST_ERRORS),
        examples=[OpenApiExample("Un dossier", value=paginated_example(DOSSIER_EXAMPLE), response_only=True)],
    ),
    retrieve=extend_schema(
        tags=[ANS_TAG],
        summary="Un dossier à instruire",
        responses=responses(DossierDetailSerializer, *REVIEWER_READ_ERRORS),
        examples=[detail_example("Un dossier en instruction")],
    ),
)
class AnsDossierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAnsReviewer]
    authentication_classes = AUTHENTICATION
    pagination_class = CursorPagination
    parser_classes = JSON_PARSERS
    filter_backends = [IdOrdering]

    def get_queryset(self):
        if self.action == "list":
            return dossiers_filtered(_ans_dossiers(), query_params(AnsDossierFilterSerializer, self.request))
        if self.action == "retrieve":
            return dossier_with_details(_ans_dossiers())
        return _ans_dossiers()

    def get_serializer_class(self):
        return DossierListSerializer if self.action == "list" else DossierDetailSerializer

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "actor": Actor.ANS}

    def _detail(self, pk: int) -> Response:
        dossier = get_object_or_404(dossier_with_details(_ans_dossiers()), pk=pk)
        return Response(DossierDetailSerializer(dossier, context=self.get_serializer_context()).data)

    def _input(self, serializer_class, request: Request) -> dict:
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data

    @extend_schema(**_ans_command(
        "Statuer sur l'éligibilité de la candidature",
        EligibilitySerializer,
        [OpenApiExample("Non éligible", value={"eligible": False, "comment": "Le DSR visé ne "
                        "correspond pas au logiciel."}, request_only=True)],
    ))
    @action(detail=True, methods=["post"])
    def eligibility(self, request: Request, pk: int) -> Response:
        data = self._input(EligibilitySerializer, request)
        services.eligibility_decide(user=request.user, dossier=self.get_object(), **data)
        return self._detail(pk)

    @extend_schema(**_ans_command("Prendre le dossier en instruction"))
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request: Request, pk: int) -> Response:
        services.review_start(user=request.user, dossier=self.get_object())
        return self._detail(pk)

    @extend_schema(
        tags=[ANS_TAG],
        summary="Accepter ou rejeter une preuve",
        parameters=[PROOF_PK],
        request=ProofReviewSerializer,
        responses=responses(DossierDetailSerializer, *REVIEWER_COMMAND_ERRORS),
        examples=[
            OpenApiExample(
                "Rejet", value={"accepted": False, "comment": "Capture illisible."}, request_only=True
            ),
            detail_example("Le dossier après la revue"),
        ],
    )
    @action(detail=True, methods=["post"], url_path=r"proofs/(?P<proof_pk>\d+)/review")
    def proof_review(self, request: Request, pk: int, proof_pk: int) -> Response:
        dossier = self.get_object()
        proof = get_object_or_404(dossier.proofs.select_related("dossier", "requirement"), pk=proof_pk)
        data = self._input(ProofReviewSerializer, request)
        services.proof_review(user=request.user, proof=proof, **data)
        return self._detail(pk)

    @extend_schema(
        tags=[ANS_TAG],
        summary="Accepter en une fois toutes les preuves déposées non encore revues",
        request=None,
        responses=responses(AcceptedCountSerializer, *REVIEWER_COMMAND_ERRORS),
        examples=[OpenApiExample("Trois preuves acceptées", value={"accepted": 3}, response_only=True)],
    )
    @action(detail=True, methods=["post"], url_path="accept-submitted-proofs")
    def accept_submitted_proofs(self, request: Request, pk: int) -> Response:
        count = services.proofs_accept_submitted(user=request.user, dossier=self.get_object())
        return Response({"accepted": count})

    @extend_schema(**_ans_command(
        "Demander une correction à l'éditeur",
        CorrectionRequestSerializer,
        [OpenApiExample(
            "Preuve non conforme",
            value={"reason": "non_conform_proof", "message": "La capture ne montre pas l'INS.",
                   "requirements": ["SGL-EX-01"]},
            request_only=True,
        )],
        "Le délai d'instruction est suspendu jusqu'au redépôt des preuves corrigées.",
    ))
    @action(detail=True, methods=["post"], url_path="correction-request")
    def correction_request(self, request: Request, pk: int) -> Response:
        dossier = self.get_object()
        data = self._input(CorrectionRequestSerializer, request)
        references = list(dict.fromkeys(data.pop("requirements")))
        requirements = list(Requirement.objects.filter(dsr_id=dossier.dsr_id, reference__in=references))
        unknown = sorted(set(references) - {r.reference for r in requirements})
        if unknown:
            raise serializers.ValidationError(
                {"requirements": [
                    "Ces exigences n'appartiennent pas au DSR du dossier : " + ", ".join(unknown) + "."
                ]}
            )
        services.correction_request(user=request.user, dossier=dossier, requirements=requirements, **data)
        return self._detail(pk)

    @extend_schema(**_ans_command(
        "Accorder le référencement",
        GrantSerializer,
        [OpenApiExample("Référencé au 1er mars 2022", value={"referenced_on": "2022-03-01",
                        "comment": "Toutes les exigences sont couvertes."}, request_only=True)],
        "Attribue le numéro de référencement ; l'attestation PDF est générée en arrière-plan.",
    ))
    @action(detail=True, methods=["post"])
    def grant(self, request: Request, pk: int) -> Response:
        data = self._input(GrantSerializer, request)
        services.referencing_grant(user=request.user, dossier=self.get_object(), **data)
        return self._detail(pk)

    @extend_schema(**_ans_command(
        "Refuser le référencement",
        RequiredCommentSerializer,
        [OpenApiExample("Refus", value={"comment": "Exigence EX-02 non couverte."}, request_only=True)],
    ))
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: int) -> Response:
        data = self._input(RequiredCommentSerializer, request)
        services.referencing_refuse(user=request.user, dossier=self.get_object(), **data)
        return self._detail(pk)
