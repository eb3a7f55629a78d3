"""API representations of funding requests (advance, balance), their history, corrections and
payment. Statuses and amounts are read-only: services compute and move them."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from segur_funding.core import clock
from segur_funding.core.apis import IdField, LabelField, StatusField

from .constants import Actor, AnswerPart, CorrectionReason, RequestStatus
from .models import CorrectionRequest, FundingRequest, Payment, RequestEvent
from .rules import TRANSITIONS, answer_parts, payment_date_refusal
from .selectors import request_validated_on


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["amount", "paid_on", "reference", "recorded_at"]
        read_only_fields = fields


class FundingRequestListSerializer(serializers.ModelSerializer):
    milestone_label = LabelField("milestone")
    status = StatusField(RequestStatus, enum_name="FundingRequestStatusEnum")
    status_label = LabelField("status")
    quote_number = serializers.CharField(source="quote.number", read_only=True)
    client = serializers.IntegerField(source="quote.client_id", read_only=True)
    client_name = serializers.CharField(source="quote.client.name", read_only=True)
    editor_name = serializers.CharField(source="editor.name", read_only=True)
    dsr = serializers.SerializerMethodField()
    has_invoice = serializers.SerializerMethodField()
    payment = serializers.SerializerMethodField()

    class Meta:
        model = FundingRequest
        fields = [
            "id",
            "quote",
            "quote_number",
            "editor",
            "editor_name",
            "client",
            "client_name",
            "dsr",
            "milestone",
            "milestone_label",
            "status",
            "status_label",
            "funded_amount",
            "amount",
            "has_invoice",
            "submitted_at",
            "decided_at",
            "payment",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_dsr(self, obj: FundingRequest) -> str | None:
        return obj.quote.dsr.code if obj.quote.dsr_id else None

    def get_has_invoice(self, obj: FundingRequest) -> bool:
        return bool(obj.invoice)

    @extend_schema_field(PaymentSerializer(allow_null=True))
    def get_payment(self, obj: FundingRequest) -> dict | None:
        # A missing reverse one-to-one raises an AttributeError subclass: getattr's default.
        payment = getattr(obj, "payment", None)
        return PaymentSerializer(payment).data if payment is not None else None


class RequestEventSerializer(serializers.ModelSerializer):
    from_status = StatusField(RequestStatus, enum_name="FundingRequestStatusEnum", allow_blank=True)
    to_status = StatusField(RequestStatus, enum_name="FundingRequestStatusEnum")
    from_status_label = LabelField("from_status")
    to_status_label = LabelField("to_status")

    class Meta:
        model = RequestEvent
        fields = ["from_status", "from_status_label", "to_status", "to_status_label", "at", "comment"]
        read_only_fields = fields


class CorrectionChangeSerializer(serializers.Serializer):
    part = serializers.CharField(help_text="L'élément de la réponse : une des valeurs de `answer_parts`.")
    label = serializers.CharField()
    old = serializers.CharField(help_text="La valeur remplacée (nom du fichier pour un document).")
    new = serializers.CharField(help_text="La valeur donnée en réponse.")


class FundingCorrectionSerializer(serializers.ModelSerializer):
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=CorrectionReason.choices))
    reason_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    answer_parts = serializers.SerializerMethodField(
        help_text="Ce que la réponse doit apporter (champs de la commande resubmit), selon les motifs."
    )
    changes = CorrectionChangeSerializer(many=True, read_only=True, help_text="La réponse : avant, après.")

    class Meta:
        model = CorrectionRequest
        fields = [
            "id",
            "reasons",
            "reason_labels",
            "comment",
            "requested_at",
            "answer_parts",
            "resolved_at",
            "answer_comment",
            "changes",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=AnswerPart.choices)))
    def get_answer_parts(self, obj: CorrectionRequest) -> list[str]:
        return [str(part) for part in answer_parts(obj.reasons)]


class FundingRequestDetailSerializer(FundingRequestListSerializer):
    events = RequestEventSerializer(many=True, read_only=True)
    corrections = FundingCorrectionSerializer(many=True, read_only=True)
    next_statuses = serializers.SerializerMethodField(
        help_text="Statuts vers lesquels la demande peut aller, et qui peut l'y mener."
    )
    next_actions = serializers.SerializerMethodField(
        help_text="Commandes possibles au statut actuel (validate, send_back, refuse, pay, "
        "resubmit), et qui peut les faire : la même table que les boutons de l'admin."
    )

    class Meta(FundingRequestListSerializer.Meta):
        fields = [
            *FundingRequestListSerializer.Meta.fields,
            "editor_comment",
            "next_statuses",
            "next_actions",
            "corrections",
            "events",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.ChoiceField(choices=Actor.choices)))
    def get_next_statuses(self, obj: FundingRequest) -> dict[str, str]:
        return {
            str(step.to): str(who)
            for (frm, _), step in TRANSITIONS.items()
            if frm == obj.status
            for who in step.actors
        }

    @extend_schema_field(serializers.DictField(child=serializers.ChoiceField(choices=Actor.choices)))
    def get_next_actions(self, obj: FundingRequest) -> dict[str, str]:
        return {
            str(action): str(who)
            for (frm, action), step in TRANSITIONS.items()
            if frm == obj.status
            for who in step.actors
        }


# --- Input --------------------------------------------------------------------------------------


class AdvanceFileSerializer(serializers.Serializer):
    quote = IdField(help_text="Votre devis signé.")
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class BalanceFileSerializer(serializers.Serializer):
    quote = IdField(help_text="Votre devis dont la prestation est livrée.")
    invoice = serializers.FileField(help_text="La facture de la Prestation Ségur (PDF).")
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ResubmitSerializer(serializers.Serializer):
    """The answer to an « à modifier »: exactly the parts listed in the open correction's
    `answer_parts` (multipart when it carries a document)."""

    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Ce que vous avez corrigé (obligatoire)."
    )
    signed_quote = serializers.FileField(required=False, allow_null=True, help_text="Devis signé (PDF).")
    invoice = serializers.FileField(required=False, allow_null=True, help_text="Facture corrigée (PDF).")
    delivery_declaration = serializers.FileField(
        required=False, allow_null=True, help_text="Déclaration de VA ou de MOM (PDF)."
    )
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, help_text="Montant corrigé TTC."
    )
    client_identity = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300, help_text="Identification corrigée."
    )
    holder = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Titulaire du compte."
    )
    iban = serializers.CharField(required=False, allow_blank=True, default="")
    bic = serializers.CharField(required=False, allow_blank=True, default="")
    rib = serializers.FileField(required=False, allow_null=True, help_text="RIB (PDF, PNG ou JPEG).")


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RefuseSerializer(serializers.Serializer):
    comment = serializers.CharField(help_text="Motif du refus, communiqué à l'éditeur.")


class SendBackSerializer(serializers.Serializer):
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=CorrectionReason.choices), allow_empty=False
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Obligatoire avec le motif « other »."
    )


class PaymentInputSerializer(serializers.Serializer):
    paid_on = serializers.DateField(
        help_text="Date du versement : entre la validation de la demande et aujourd'hui."
    )
    reference = serializers.CharField(max_length=100, help_text="Référence du virement.")

    def validate_paid_on(self, paid_on):
        funding_request = self.context.get("funding_request")
        refusal = payment_date_refusal(
            paid_on=paid_on,
            validated_on=request_validated_on(funding_request) if funding_request else None,
            today=clock.today(),
        )
        if refusal:
            raise serializers.ValidationError(refusal)
        return paid_on
