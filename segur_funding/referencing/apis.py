"""Referencing API: editors' solutions and dossiers (candidature, proofs), ANS instruction, and
the public list of referenced solutions.

Querysets start from the selectors scoped to the user's editors: another editor's dossier answers
404 like one that does not exist. Every move is a POST command calling the same service as the
web page or the admin, so a refusal carries the same French message.
"""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from segur_funding.core.apis import (
    COMMAND_ERRORS,
    LIST_ERRORS,
    READ_ERRORS,
    REVIEWER_COMMAND_ERRORS,
    REVIEWER_LIST_ERRORS,
    REVIEWER_READ_ERRORS,
    JSON_PARSERS,
    UPLOAD_PARSERS,
    CursorPagination,
    IdOrdering,
    PagePagination,
    query_params,
    responses,
)
from segur_funding.organizations.apis import IsAnsReviewer, IsEditorMember
from segur_funding.organizations.selectors import user_editors
from segur_funding.referential.models import Requirement

from . import selectors, services
from .constants import Actor, DossierStatus
from .models import CorrectionRequest, Dossier, DossierEvent, Proof, ProofFile
from .serializers import (
    AcceptedCountSerializer,
    CandidatureSerializer,
    CommentSerializer,
    CorrectionRequestSerializer,
    DossierCreateSerializer,
    DossierDetailSerializer,
    DossierListSerializer,
    EligibilitySerializer,
    GrantSerializer,
    ProofFileSerializer,
    ProofReviewSerializer,
    ProofUploadSerializer,
    ReferencedSolutionSerializer,
    RequiredCommentSerializer,
    SolutionCreateSerializer,
    SolutionSerializer,
    SolutionVersionCreateSerializer,
    SolutionVersionSerializer,
)

EDITOR_TAG = "Éditeur — référencement"
ANS_TAG = "ANS — instruction du référencement"
PUBLIC_TAG = "Public"

PROOF_PK = OpenApiParameter(
    "proof_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Identifiant de la preuve."
)


def _with_details(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """The dossier page in a fixed number of queries, whatever the size of its checklist."""
    return queryset.prefetch_related(None).prefetch_related(
        Prefetch(
            "proofs",
            queryset=Proof.objects.select_related("requirement")
            .order_by("requirement__position", "requirement__reference")
            .prefetch_related(
                Prefetch("files", queryset=ProofFile.objects.order_by("-uploaded_at", "-id"))
            ),
        ),
        Prefetch(
            "corrections",
            queryset=CorrectionRequest.objects.prefetch_related("requirements").order_by("-opened_at"),
        ),
        Prefetch("events", queryset=DossierEvent.objects.order_by("created_at", "id")),
    )


class DossierFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=DossierStatus.choices, required=False, help_text="Statut du dossier."
    )
    dsr = serializers.CharField(required=False, help_text="Code du DSR, ex. SGL-V1.")


class AnsDossierFilterSerializer(DossierFilterSerializer):
    editor = serializers.IntegerField(required=False, help_text="Identifiant de l'éditeur.")


def _filtered(queryset: QuerySet[Dossier], filters: dict) -> QuerySet[Dossier]:
    if "status" in filters:
        queryset = queryset.filter(status=filters["status"])
    if "dsr" in filters:
        queryset = queryset.filter(dsr__code=filters["dsr"])
    if "editor" in filters:
        queryset = queryset.filter(editor_id=filters["editor"])
    return queryset


# --- Examples -----------------------------------------------------------------------------------

DOSSIER_EXAMPLE = {
    "id": 12,
    "editor": 1,
    "editor_name": "Biologiciel SAS",
    "solution": "BioLab SGL",
    "version": "5.2",
    "solution_version": 4,
    "dsr": "SGL-V1",
    "status": "proofs_in_progress",
    "status_label": "Dépôt des preuves en cours",
    "created_at": "2021-09-13T10:00:00+02:00",
    "candidature_submitted_at": "2021-09-15T10:00:00+02:00",
    "eligibility_decided_at": "2021-09-20T10:00:00+02:00",
    "proofs_complete_on": None,
    "decided_at": None,
    "referencing_number": None,
    "referenced_on": None,
    "clock_phase": "",
    "clock_phase_label": "—",
    "clock_deadline": None,
}
DOSSIER_DETAIL_EXAMPLE = {
    **DOSSIER_EXAMPLE,
    "contact_name": "Élise Martin",
    "contact_email": "editeur@demo.test",
    "contact_phone": "04 72 00 00 00",
    "referencing_profile": "SGL — tous profils",
    "candidature_note": "",
    "honour_declaration": True,
    "clock": None,
    "has_certificate": False,
    "available_actions": ["submit_proofs"],
    "proofs": [
        {
            "id": 101,
            "requirement": {
                "id": 7,
                "reference": "SGL-EX-01",
                "theme": "Identité",
                "title": "Identité nationale de santé",
                "expected_proofs": "Capture d'écran",
                "mandatory": True,
            },
            "status": "submitted",
            "status_label": "Déposée",
            "reviewer_comment": "",
            "reviewed_at": None,
            "files": [
                {
                    "id": 55,
                    "original_name": "preuve-ins.pdf",
                    "content_type": "application/pdf",
                    "size": 48213,
                    "sha256": "9f2c…",
                    "uploaded_at": "2022-01-20T10:00:00+01:00",
                    "scan_status": "clean",
                    "scan_status_label": "Sain",
                    "is_current": True,
                    "superseded_by": None,
                }
            ],
        }
    ],
    "corrections": [],
    "events": [
        {
            "kind": "dossier_create",
            "kind_label": "Ouverture du dossier",
            "actor_role": "editor",
            "actor_role_label": "Éditeur",
            "from_status": "draft",
            "to_status": "draft",
            "comment": "",
            "created_at": "2021-09-13T10:00:00+02:00",
        }
    ],
}


def _paginated(item: dict) -> dict:
    return {"next": "https://…/?cursor=cD0xMg%3D%3D", "previous": None, "results": [item]}


def _detail_response(summary: str) -> OpenApiExample:
    return OpenApiExample(summary, value=DOSSIER_DETAIL_EXAMPLE, response_only=True)


# --- Editors: solutions -------------------------------------------------------------------------


SOLUTION_EXAMPLE = {
    "id": 2,
    "name": "BioLab SGL",
    "editor": 1,
    "editor_name": "Biologiciel SAS",
    "created_at": "2021-09-13T10:00:00+02:00",
    "versions": [
        {
            "id": 4,
            "label": "5.2",
            "obsolete_versions": "Versions 4.x et antérieures.",
            "created_at": "2021-09-13T10:00:00+02:00",
        }
    ],
}


@extend_schema_view(
    list=extend_schema(
        tags=[EDITOR_TAG],
        summary="Mes solutions et leurs versions",
        responses=responses(SolutionSerializer(many=True), 401, 403),
        examples=[
            OpenApiExample(
                "Une solution",
                value={"count": 1, "next": None, "previous": None, "results": [SOLUTION_EXAMPLE]},
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(
        tags=[EDITOR_TAG],
        summary="Une de mes solutions",
        responses=responses(SolutionSerializer, 401, 403, 404),
        examples=[OpenApiExample("Une solution", value=SOLUTION_EXAMPLE, response_only=True)],
    ),
    create=extend_schema(
        tags=[EDITOR_TAG],
        summary="Déclarer une solution avec sa première version",
        request=SolutionCreateSerializer,
        responses=responses(SolutionSerializer, 400, 401, 403, status=201),
        examples=[
            OpenApiExample(
                "Nouvelle solution",
                value={
                    "name": "BioLab SGL",
                    "version_label": "5.2",
                    "obsolete_versions": "Versions 4.x et antérieures.",
                },
                request_only=True,
            ),
            OpenApiExample("Solution déclarée", value=SOLUTION_EXAMPLE, response_only=True),
        ],
    ),
)
class SolutionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = SolutionSerializer
    permission_classes = [IsEditorMember]
    parser_classes = JSON_PARSERS
    pagination_class = PagePagination

    def get_queryset(self):
        return selectors.user_solutions(user=self.request.user)

    def create(self, request: Request) -> Response:
        data = SolutionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        editors = user_editors(user=request.user)
        editor_id = data.validated_data.get("editor")
        if editor_id is None:
            if editors.count() > 1:
                raise serializers.ValidationError(
                    {"editor": ["Vous êtes membre de plusieurs éditeurs : indiquez lequel."]}
                )
            editor_id = editors.values_list("pk", flat=True).first()
        elif not editors.filter(pk=editor_id).exists():
            raise serializers.ValidationError({"editor": ["Éditeur introuvable."]})
        version = services.solution_create(
            user=request.user,
            editor_id=editor_id,
            name=data.validated_data["name"],
            version_label=data.validated_data["version_label"],
            obsolete_versions=data.validated_data["obsolete_versions"],
        )
        solution = self.get_queryset().get(pk=version.solution_id)
        return Response(SolutionSerializer(solution).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=[EDITOR_TAG],
        summary="Déclarer une nouvelle version d'une solution",
        request=SolutionVersionCreateSerializer,
        responses=responses(SolutionVersionSerializer, 400, 401, 403, 404, status=201),
        examples=[
            OpenApiExample(
                "Version 5.3",
                value={"label": "5.3", "obsolete_versions": "Aucune"},
                request_only=True,
            ),
            OpenApiExample(
                "Version déclarée",
                value={"id": 9, "label": "5.3", "obsolete_versions": "Aucune",
                       "created_at": "2022-05-02T09:00:00+02:00"},
                response_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def versions(self, request: Request, pk: int) -> Response:
        solution = self.get_object()
        data = SolutionVersionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.solution_version_create(
            user=request.user, solution=solution, **data.validated_data
        )
        return Response(SolutionVersionSerializer(version).data, status=status.HTTP_201_CREATED)


# --- Editors: dossiers --------------------------------------------------------------------------


def _editor_command(summary: str, description: str) -> dict:
    return {
        "tags": [EDITOR_TAG],
        "summary": summary,
        "description": description,
        "request": None,
        "responses": responses(DossierDetailSerializer, *COMMAND_ERRORS),
        "examples": [_detail_response("Le dossier après la commande")],
    }


@extend_schema_view(
    list=extend_schema(
        tags=[EDITOR_TAG],
        summary="Mes dossiers de référencement",
        description="Pagination par curseur (liens `next` / `previous`), sans comptage.",
        parameters=[DossierFilterSerializer],
        responses=responses(DossierListSerializer(many=True), *LIST_ERRORS, 403),
        examples=[OpenApiExample("Un dossier", value=_paginated(DOSSIER_EXAMPLE), response_only=True)],
    ),
    retrieve=extend_schema(
        tags=[EDITOR_TAG],
        summary="Un dossier : candidature, liste des preuves, corrections, historique",
        responses=responses(DossierDetailSerializer, *READ_ERRORS, 403),
        examples=[_detail_response("Un dossier en dépôt des preuves")],
    ),
    create=extend_schema(
        tags=[EDITOR_TAG],
        summary="Ouvrir un dossier (brouillon) pour une version et un DSR",
        request=DossierCreateSerializer,
        responses=responses(DossierDetailSerializer, 400, 401, 403, status=201),
        examples=[
            OpenApiExample(
                "Nouveau dossier",
                value={
                    "solution_version": 4,
                    "dsr": "SGL-V1",
                    "contact_name": "Élise Martin",
                    "contact_email": "editeur@demo.test",
                    "contact_phone": "04 72 00 00 00",
                    "referencing_profile": "SGL — tous profils",
                    "candidature_note": "",
                    "honour_declaration": True,
                },
                request_only=True,
            ),
            _detail_response("Dossier ouvert"),
        ],
    ),
)
class EditorDossierViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    permission_classes = [IsEditorMember]
    pagination_class = CursorPagination
    parser_classes = JSON_PARSERS
    filter_backends = [IdOrdering]
    actor = Actor.EDITOR

    def get_queryset(self):
        queryset = selectors.user_dossiers(user=self.request.user)
        if self.action == "list":
            filters = query_params(DossierFilterSerializer, self.request)
            return _filtered(queryset.prefetch_related(None), filters)
        if self.action == "retrieve":
            return _with_details(queryset)
        return queryset

    def get_serializer_class(self):
        return DossierListSerializer if self.action == "list" else DossierDetailSerializer

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "actor": self.actor}

    def _detail(self, pk: int) -> Response:
        dossier = get_object_or_404(_with_details(selectors.user_dossiers(user=self.request.user)), pk=pk)
        return Response(DossierDetailSerializer(dossier, context=self.get_serializer_context()).data)

    def create(self, request: Request) -> Response:
        data = DossierCreateSerializer(
            data=request.data, versions=selectors.user_solution_versions(user=request.user)
        )
        data.is_valid(raise_exception=True)
        dossier = services.dossier_create(user=request.user, **data.validated_data)
        response = self._detail(dossier.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(
        tags=[EDITOR_TAG],
        summary="Modifier la candidature (dossier en brouillon)",
        request=CandidatureSerializer,
        responses=responses(DossierDetailSerializer, *COMMAND_ERRORS, 403),
        examples=[
            OpenApiExample(
                "Déclaration sur l'honneur",
                value={"honour_declaration": True, "contact_phone": "04 72 00 00 00"},
                request_only=True,
            ),
            _detail_response("Le dossier modifié"),
        ],
    )
    @action(detail=True, methods=["patch"])
    def candidature(self, request: Request, pk: int) -> Response:
        dossier = self.get_object()
        data = CandidatureSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if data.validated_data:
            services.candidature_update(user=request.user, dossier=dossier, **data.validated_data)
        return self._detail(dossier.pk)

    @extend_schema(**_editor_command(
        "Déposer la candidature",
        "Phase 1 : la candidature est figée et l'ANS statue sur son éligibilité (environ une "
        "semaine).",
    ))
    @action(detail=True, methods=["post"], url_path="submit-candidature")
    def submit_candidature(self, request: Request, pk: int) -> Response:
        services.candidature_submit(user=request.user, dossier=self.get_object())
        return self._detail(pk)

    @extend_schema(**_editor_command(
        "Commencer le dépôt des preuves", "Phase 2, après la déclaration d'éligibilité."
    ))
    @action(detail=True, methods=["post"], url_path="start-proofs")
    def start_proofs(self, request: Request, pk: int) -> Response:
        services.proofs_start(user=request.user, dossier=self.get_object())
        return self._detail(pk)

    @extend_schema(**_editor_command(
        "Déposer les preuves (dossier complet)",
        "Chaque exigence obligatoire doit avoir au moins un fichier. La date de dépôt est celle "
        "du dossier complet, dont part la règle des 120 jours.",
    ))
    @action(detail=True, methods=["post"], url_path="submit-proofs")
    def submit_proofs(self, request: Request, pk: int) -> Response:
        services.proofs_submit(user=request.user, dossier=self.get_object())
        return self._detail(pk)

    @extend_schema(**_editor_command(
        "Répondre à une demande de correction : redéposer les preuves corrigées",
        "Après avoir remplacé ou ajouté les fichiers demandés ; la demande de correction est "
        "close et l'instruction reprend.",
    ))
    @action(detail=True, methods=["post"], url_path="resubmit-proofs")
    def resubmit_proofs(self, request: Request, pk: int) -> Response:
        services.proofs_resubmit(user=request.user, dossier=self.get_object())
        return self._detail(pk)

    @extend_schema(
        tags=[EDITOR_TAG],
        summary="Déposer un fichier de preuve pour une exigence (multipart)",
        description="Ajoute un fichier à la preuve, ou remplace un fichier en vigueur "
        "(`replaces`), qui reste dans l'historique. Le type est reconnu d'après le contenu.",
        parameters=[PROOF_PK],
        request={"multipart/form-data": ProofUploadSerializer},
        responses=responses(ProofFileSerializer, *COMMAND_ERRORS, 403, status=201),
        examples=[
            OpenApiExample(
                "Fichier déposé",
                value=DOSSIER_DETAIL_EXAMPLE["proofs"][0]["files"][0],
                response_only=True,
            ),
            OpenApiExample(
                "Fichier refusé",
                value={
                    "code": "INVALID_INPUT",
                    "message": "Le fichier « setup.exe » est un programme exécutable : il ne peut "
                    "pas être déposé, quel que soit son nom.",
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"proofs/(?P<proof_pk>\d+)/files",
        parser_classes=UPLOAD_PARSERS,
    )
    def proof_file_upload(self, request: Request, pk: int, proof_pk: int) -> Response:
        dossier = self.get_object()
        proof = get_object_or_404(dossier.proofs.select_related("requirement", "dossier"), pk=proof_pk)
        data = ProofUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        replaces = None
        if data.validated_data.get("replaces") is not None:
            replaces = ProofFile.objects.filter(
                pk=data.validated_data["replaces"], proof__dossier=dossier
            ).first()
            if replaces is None:
                raise serializers.ValidationError(
                    {"replaces": ["Le fichier à remplacer n'est pas un fichier en vigueur de cette preuve."]}
                )
        try:
            proof_file = services.proof_file_upload(
                user=request.user, proof=proof, upload=upload, replaces=replaces
            )
        finally:
            upload.close()
        return Response(ProofFileSerializer(proof_file).data, status=status.HTTP_201_CREATED)


# --- ANS ----------------------------------------------------------------------------------------


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
        "examples": [*(examples or []), _detail_response("Le dossier après la décision")],
    }


@extend_schema_view(
    list=extend_schema(
        tags=[ANS_TAG],
        summary="File des dossiers de référencement (tous les éditeurs)",
        description="Pagination par curseur, sans comptage.",
        parameters=[AnsDossierFilterSerializer],
        responses=responses(DossierListSerializer(many=True), *REVIEWER_LIST_ERRORS),
        examples=[OpenApiExample("Un dossier", value=_paginated(DOSSIER_EXAMPLE), response_only=True)],
    ),
    retrieve=extend_schema(
        tags=[ANS_TAG],
        summary="Un dossier à instruire",
        responses=responses(DossierDetailSerializer, *REVIEWER_READ_ERRORS),
        examples=[_detail_response("Un dossier en instruction")],
    ),
)
class AnsDossierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAnsReviewer]
    pagination_class = CursorPagination
    parser_classes = JSON_PARSERS
    filter_backends = [IdOrdering]

    def get_queryset(self):
        if self.action == "list":
            return _filtered(_ans_dossiers(), query_params(AnsDossierFilterSerializer, self.request))
        if self.action == "retrieve":
            return _with_details(_ans_dossiers())
        return _ans_dossiers()

    def get_serializer_class(self):
        return DossierListSerializer if self.action == "list" else DossierDetailSerializer

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "actor": Actor.ANS}

    def _detail(self, pk: int) -> Response:
        dossier = get_object_or_404(_with_details(_ans_dossiers()), pk=pk)
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
            _detail_response("Le dossier après la revue"),
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


# --- Public -------------------------------------------------------------------------------------


class ReferencedFilterSerializer(serializers.Serializer):
    dsr = serializers.CharField(required=False, help_text="Code du DSR, ex. SGL-V1.")
    editor = serializers.IntegerField(required=False, help_text="Identifiant de l'éditeur.")


@extend_schema_view(
    list=extend_schema(
        tags=[PUBLIC_TAG],
        summary="Solutions référencées",
        description="Liste publique, sans authentification, triée par DSR, éditeur et solution.",
        parameters=[ReferencedFilterSerializer],
        responses=responses(ReferencedSolutionSerializer(many=True), 400),
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
    parser_classes = JSON_PARSERS

    def get_queryset(self):
        filters = query_params(ReferencedFilterSerializer, self.request)
        return selectors.referenced_dossiers(
            dsr_code=filters.get("dsr"), editor_id=filters.get("editor")
        )
