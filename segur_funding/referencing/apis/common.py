"""What the referencing API views share: tags, filters, the dossier page's prefetches."""

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from segur_funding.core.apis import IdField

from ..constants import DossierStatus
from ..models import CorrectionRequest, Dossier, DossierEvent, Proof, ProofFile

EDITOR_TAG = "Éditeur — référencement"
ANS_TAG = "ANS — instruction du référencement"
PUBLIC_TAG = "Public"

PROOF_PK = OpenApiParameter(
    "proof_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Identifiant de la preuve."
)


def dossier_with_details(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
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
    editor = IdField(required=False, help_text="Identifiant de l'éditeur.")


def dossiers_filtered(queryset: QuerySet[Dossier], filters: dict) -> QuerySet[Dossier]:
    if "status" in filters:
        queryset = queryset.filter(status=filters["status"])
    if "dsr" in filters:
        queryset = queryset.filter(dsr__code=filters["dsr"])
    if "editor" in filters:
        queryset = queryset.filter(editor_id=filters["editor"])
    return queryset
