"""API representations of solutions, referencing dossiers, proofs and their history.

Every status, date and number is read-only: it changes through the command endpoints only.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from segur_funding.core.apis import IdField, IdRelatedField, LabelField, StatusField
from segur_funding.core.files import MAX_UPLOAD_BYTES
from segur_funding.referential.models import Dsr

from . import rules, selectors
from .constants import Actor, CorrectionReason, DossierStatus, ProofStatus
from .models import CorrectionRequest, Dossier, DossierEvent, Proof, ProofFile, Solution, SolutionVersion

# --- Solutions ----------------------------------------------------------------------------------


class SolutionVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = SolutionVersion
        fields = ["id", "label", "obsolete_versions", "created_at"]
        read_only_fields = fields


class SolutionSerializer(serializers.ModelSerializer):
    editor = serializers.PrimaryKeyRelatedField(read_only=True)
    editor_name = serializers.CharField(source="editor.name", read_only=True)
    versions = SolutionVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Solution
        fields = ["id", "name", "editor", "editor_name", "created_at", "versions"]
        read_only_fields = fields


class SolutionCreateSerializer(serializers.Serializer):
    editor = IdField(
        required=False,
        help_text="Identifiant de l'éditeur (facultatif si vous n'êtes membre que d'un éditeur).",
    )
    name = serializers.CharField(max_length=200)
    version_label = serializers.CharField(max_length=60)
    obsolete_versions = serializers.CharField(
        help_text="Versions qui ne sont plus maintenues ; « Aucune » s'il n'y en a pas."
    )


class SolutionVersionCreateSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=60)
    obsolete_versions = serializers.CharField()


# --- Dossiers -----------------------------------------------------------------------------------


class ClockSerializer(serializers.Serializer):
    phase = serializers.CharField(help_text="eligibility ou instruction")
    label = serializers.CharField()
    budget_days = serializers.IntegerField()
    elapsed_days = serializers.IntegerField()
    days_left = serializers.IntegerField(help_text="Négatif : délai dépassé.")
    paused = serializers.BooleanField(help_text="Vrai pendant une demande de correction.")


class DossierListSerializer(serializers.ModelSerializer):
    status = StatusField(DossierStatus, enum_name="DossierStatusEnum")
    status_label = LabelField("status")
    editor_name = serializers.CharField(source="editor.name", read_only=True)
    dsr = serializers.SlugRelatedField(slug_field="code", read_only=True)
    solution = serializers.CharField(source="solution_version.solution.name", read_only=True)
    version = serializers.CharField(source="solution_version.label", read_only=True)
    clock_phase_label = LabelField("clock_phase")

    class Meta:
        model = Dossier
        fields = [
            "id",
            "editor",
            "editor_name",
            "solution",
            "version",
            "solution_version",
            "dsr",
            "status",
            "status_label",
            "created_at",
            "candidature_submitted_at",
            "eligibility_decided_at",
            "proofs_complete_on",
            "decided_at",
            "referencing_number",
            "referenced_on",
            "clock_phase",
            "clock_phase_label",
            "clock_deadline",
        ]
        read_only_fields = fields


class ProofFileSerializer(serializers.ModelSerializer):
    scan_status_label = LabelField("scan_status")

    class Meta:
        model = ProofFile
        fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "scan_status",
            "scan_status_label",
            "is_current",
            "superseded_by",
        ]
        read_only_fields = fields


class RequirementBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    theme = serializers.CharField()
    title = serializers.CharField()
    expected_proofs = serializers.CharField()
    mandatory = serializers.BooleanField()


class ProofSerializer(serializers.ModelSerializer):
    requirement = RequirementBriefSerializer(read_only=True)
    status = StatusField(ProofStatus, enum_name="ProofStatusEnum")
    status_label = LabelField("status")
    files = ProofFileSerializer(many=True, read_only=True)

    class Meta:
        model = Proof
        fields = [
            "id",
            "requirement",
            "status",
            "status_label",
            "reviewer_comment",
            "reviewed_at",
            "files",
        ]
        read_only_fields = fields


class CorrectionSerializer(serializers.ModelSerializer):
    reason_label = LabelField("reason")
    requirements = serializers.SlugRelatedField(slug_field="reference", many=True, read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = CorrectionRequest
        fields = ["id", "reason", "reason_label", "requirements", "message", "opened_at", "resolved_at",
                  "is_open"]
        read_only_fields = fields


class DossierEventSerializer(serializers.ModelSerializer):
    kind_label = LabelField("kind")
    from_status = StatusField(DossierStatus, enum_name="DossierStatusEnum")
    to_status = StatusField(DossierStatus, enum_name="DossierStatusEnum")
    actor_role_label = LabelField("actor_role")

    class Meta:
        model = DossierEvent
        fields = ["kind", "kind_label", "actor_role", "actor_role_label", "from_status", "to_status",
                  "comment", "created_at"]
        read_only_fields = fields


class DossierDetailSerializer(DossierListSerializer):
    """A dossier with its candidature, checklist, corrections, history and next moves."""

    clock = serializers.SerializerMethodField()
    proofs = ProofSerializer(many=True, read_only=True)
    corrections = CorrectionSerializer(many=True, read_only=True)
    events = DossierEventSerializer(many=True, read_only=True)
    available_actions = serializers.SerializerMethodField(
        help_text="Commandes que vous pouvez lancer maintenant (codes d'action)."
    )
    has_certificate = serializers.SerializerMethodField()

    class Meta(DossierListSerializer.Meta):
        fields = [
            *DossierListSerializer.Meta.fields,
            "contact_name",
            "contact_email",
            "contact_phone",
            "referencing_profile",
            "candidature_note",
            "honour_declaration",
            "clock",
            "has_certificate",
            "available_actions",
            "proofs",
            "corrections",
            "events",
        ]
        read_only_fields = fields

    @extend_schema_field(ClockSerializer(allow_null=True))
    def get_clock(self, obj: Dossier) -> dict | None:
        clock = selectors.dossier_clock(dossier=obj)
        if clock is None:
            return None
        return {
            "phase": str(clock.phase),
            "label": clock.label,
            "budget_days": clock.budget_days,
            "elapsed_days": clock.elapsed_days,
            "days_left": clock.days_left,
            "paused": clock.paused,
        }

    def get_available_actions(self, obj: Dossier) -> list[str]:
        actor = self.context.get("actor", Actor.EDITOR)
        return [str(a) for a in rules.available_actions(obj.status, actor)]

    def get_has_certificate(self, obj: Dossier) -> bool:
        return bool(obj.certificate)


class DossierCreateSerializer(serializers.Serializer):
    solution_version = IdRelatedField(
        queryset=SolutionVersion.objects.none(), help_text="Version de votre solution."
    )
    dsr = serializers.SlugRelatedField(
        slug_field="code", queryset=Dsr.objects.all(), help_text="Code du DSR visé, ex. SGL-V1."
    )
    contact_name = serializers.CharField(max_length=200)
    contact_email = serializers.EmailField()
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    referencing_profile = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    candidature_note = serializers.CharField(required=False, allow_blank=True, default="")
    honour_declaration = serializers.BooleanField(required=False, default=False)

    def __init__(self, *args, versions=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if versions is not None:
            self.fields["solution_version"].queryset = versions


class CandidatureSerializer(serializers.Serializer):
    """Partial update of the candidature (draft dossiers only)."""

    contact_name = serializers.CharField(max_length=200, required=False)
    contact_email = serializers.EmailField(required=False)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    referencing_profile = serializers.CharField(max_length=200, required=False, allow_blank=True)
    candidature_note = serializers.CharField(required=False, allow_blank=True)
    honour_declaration = serializers.BooleanField(required=False)


class ProofUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,
        help_text=f"PDF, PNG, JPEG, XML ou ZIP (IHE XDM) jusqu'à 20 Mo (ZIP : 100 Mo) ; vidéo MP4 "
        f"jusqu'à {MAX_UPLOAD_BYTES // (1024 * 1024)} Mo. Le type est reconnu d'après le contenu.",
    )
    replaces = IdField(
        required=False,
        allow_null=True,
        help_text="Identifiant d'un fichier en vigueur de cette preuve à remplacer (sinon ajout).",
    )


# --- ANS commands -------------------------------------------------------------------------------


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RequiredCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(help_text="Motif communiqué à l'éditeur.")


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Obligatoire si non éligible."
    )


class ProofReviewSerializer(serializers.Serializer):
    accepted = serializers.BooleanField()
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Obligatoire en cas de rejet."
    )


class CorrectionRequestSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=CorrectionReason.choices)
    message = serializers.CharField(help_text="Ce que l'éditeur doit corriger.")
    requirements = serializers.ListField(
        child=serializers.CharField(max_length=60),
        required=False,
        default=list,
        help_text="Références des exigences concernées (REM du DSR du dossier).",
    )


class GrantSerializer(serializers.Serializer):
    referenced_on = serializers.DateField(
        required=False, allow_null=True, help_text="Date du référencement (aujourd'hui si absente)."
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AcceptedCountSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="Nombre de preuves acceptées.")


# --- Public -------------------------------------------------------------------------------------


class ReferencedSolutionSerializer(serializers.ModelSerializer):
    editor = IdField(source="editor_id", read_only=True)
    editor_name = serializers.CharField(source="editor.name", read_only=True)
    solution = serializers.CharField(source="solution_version.solution.name", read_only=True)
    version = serializers.CharField(source="solution_version.label", read_only=True)
    dsr = serializers.CharField(source="dsr.code", read_only=True)
    software = serializers.CharField(source="dsr.software", read_only=True)

    class Meta:
        model = Dossier
        fields = ["referencing_number", "referenced_on", "dsr", "software", "editor", "editor_name",
                  "solution", "version"]
        read_only_fields = fields
