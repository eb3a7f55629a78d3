"""Editors: their solutions and dossiers (candidature, proofs, answers to corrections)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
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
    UPLOAD_PARSERS,
    CursorPagination,
    IdOrdering,
    PagePagination,
    query_params,
    responses,
)
from segur_funding.organizations.apis import IsEditorMember
from segur_funding.organizations.selectors import user_editors

from .. import selectors, services
from ..constants import Actor
from ..models import ProofFile
from ..serializers import (
    CandidatureSerializer,
    DossierCreateSerializer,
    DossierDetailSerializer,
    DossierListSerializer,
    ProofFileSerializer,
    ProofUploadSerializer,
    SolutionCreateSerializer,
    SolutionSerializer,
    SolutionVersionCreateSerializer,
    SolutionVersionSerializer,
)
from .common import EDITOR_TAG, PROOF_PK, DossierFilterSerializer, dossier_with_details, dossiers_filtered
from .examples import (
    DOSSIER_DETAIL_EXAMPLE,
    DOSSIER_EXAMPLE,
    SOLUTION_EXAMPLE,
    detail_example,
    paginated_example,
)


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
    authentication_classes = AUTHENTICATION
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
        "examples": [detail_example("Le dossier après la commande")],
    }


@extend_schema_view(
    list=extend_schema(
        tags=[EDITOR_TAG],
        summary="Mes dossiers de référencement",
        description="Pagination par curseur (liens `next` / `previous`), sans comptage.",
        parameters=[DossierFilterSerializer],
        responses=responses(DossierListSerializer(many=True), *LIST_ERRORS, 403),
        examples=[OpenApiExample("Un dossier", value=paginated_example(DOSSIER_EXAMPLE), response_only=True)],
    ),
    retrieve=extend_schema(
        tags=[EDITOR_TAG],
        summary="Un dossier : candidature, liste des preuves, corrections, historique",
        responses=responses(DossierDetailSerializer, *READ_ERRORS, 403),
        examples=[detail_example("Un dossier en dépôt des preuves")],
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
            detail_example("Dossier ouvert"),
        ],
    ),
)
class EditorDossierViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    permission_classes = [IsEditorMember]
    authentication_classes = AUTHENTICATION
    pagination_class = CursorPagination
    parser_classes = JSON_PARSERS
    filter_backends = [IdOrdering]
    actor = Actor.EDITOR

    def get_queryset(self):
        queryset = selectors.user_dossiers(user=self.request.user)
        if self.action == "list":
            filters = query_params(DossierFilterSerializer, self.request)
            return dossiers_filtered(queryset.prefetch_related(None), filters)
        if self.action == "retrieve":
            return dossier_with_details(queryset)
        return queryset

    def get_serializer_class(self):
        return DossierListSerializer if self.action == "list" else DossierDetailSerializer

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "actor": self.actor}

    def _detail(self, pk: int) -> Response:
        queryset = dossier_with_details(selectors.user_dossiers(user=self.request.user))
        dossier = get_object_or_404(queryset, pk=pk)
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
            detail_example("Le dossier modifié"),
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
