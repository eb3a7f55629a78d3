"""API representations of quotes, their lines, history and check report (SPEC §4).

`status`, `verdict` and the report are read-only: they change through the command endpoints
(issue, sign, delivery…) and the one checker.
"""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from segur_funding.core.apis import IdField, IdRelatedField, LabelField, StatusField
from segur_funding.organizations.selectors import clients_list
from segur_funding.referencing.models import REOPENABLE_STATUSES, Dossier
from segur_funding.referential.models import Dsr

from .constants import QuoteActor, Scope, Severity, Verdict
from .models import Quote, QuoteEvent, QuoteLine, QuoteOrigin, QuoteStatus
from .rules.workflow import TRANSITIONS
from .services import LineInput

# --- The SPEC §4 contract -----------------------------------------------------------------------

AMOUNT_HELP = "Montant en euros : texte décimal (« 32940.00 ») ou nombre, ≥ 0, deux décimales au plus."


class FindingSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Code stable, ex. CLIENT_REMAINDER.")
    severity = serializers.ChoiceField(choices=Severity.choices)
    line = serializers.IntegerField(allow_null=True, help_text="Ligne concernée (à partir de 1) ou null.")
    message = serializers.CharField(help_text="Explication en français.")


class ReportSerializer(serializers.Serializer):
    """The check report, exactly SPEC §4: amounts as strings with two decimals, or null."""

    verdict = serializers.ChoiceField(choices=Verdict.choices)
    tier = serializers.CharField(allow_null=True)
    cap_ttc = serializers.CharField(allow_null=True)
    cap_ht = serializers.CharField(allow_null=True)
    segur_total_ttc = serializers.CharField(allow_null=True)
    state_funding_ttc = serializers.CharField(allow_null=True)
    client_remainder_ttc = serializers.CharField(allow_null=True)
    advance_ttc = serializers.CharField(allow_null=True)
    balance_ttc = serializers.CharField(allow_null=True)
    findings = FindingSerializer(many=True)


class DocumentClientSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True)
    siret = serializers.CharField(required=False, allow_blank=True)
    geographic_sites = serializers.IntegerField(
        min_value=1, help_text="Sites géographiques utilisateurs de l'instance logicielle."
    )


class DocumentReferencingSerializer(serializers.Serializer):
    referenced_on = serializers.DateField(
        required=False, allow_null=True, help_text="null : pas encore référencé."
    )
    proofs_complete_on = serializers.DateField(
        required=False, allow_null=True, help_text="null : dossier de preuves pas encore complet."
    )


class DocumentSoftwareSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, help_text="Nom du logiciel.")
    version = serializers.CharField(required=False, allow_blank=True)
    editor = serializers.CharField(required=False, allow_blank=True, help_text="Éditeur.")


class DocumentLineSerializer(serializers.Serializer):
    label = serializers.CharField(allow_blank=True)
    scope = serializers.ChoiceField(
        choices=Scope.choices,
        required=False,
        allow_null=True,
        help_text="segur, state_funding (montant positif) ou out_of_scope, sans tenir compte des "
        "majuscules ni des accents (« Ségur ») ; absent ou autre : ligne non classée (erreur "
        "UNCLASSIFIED_LINE).",
    )
    dsr = serializers.ListField(child=serializers.CharField(), required=False)
    amount_ttc = serializers.CharField(help_text=AMOUNT_HELP)
    amount_ht = serializers.CharField(required=False, allow_null=True, help_text=AMOUNT_HELP)


class QuoteDocumentSerializer(serializers.Serializer):
    """The quote document of SPEC §4 (documentation: the checker itself validates the body and
    answers INVALID_INPUT with a French sentence naming the field)."""

    number = serializers.CharField()
    dsr = serializers.CharField(help_text="Code du DSR, ex. SGL-V1.")
    client = DocumentClientSerializer()
    referencing = DocumentReferencingSerializer(
        required=False,
        help_text="Absent (ou un champ absent) : le vérificateur cherche le logiciel dans la liste "
        "des solutions référencées de la plateforme (nom, version, éditeur lus dans `software`, "
        "les libellés et les mentions) et le signale ; sinon le rapport est incomplet.",
    )
    software = DocumentSoftwareSerializer(
        required=False, help_text="Le logiciel du devis, tel qu'imprimé (facultatif)."
    )
    order_date = serializers.DateField(required=False, allow_null=True)
    signature_date = serializers.DateField(required=False, allow_null=True)
    mentions = serializers.ListField(child=serializers.CharField(), required=False)
    conditions = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Conditions posées au client (options, modules, réengagement) : doit être vide.",
    )
    lines = DocumentLineSerializer(many=True)


# --- Quotes -------------------------------------------------------------------------------------


class QuoteLineSerializer(serializers.ModelSerializer):
    dsr = serializers.ListField(
        child=serializers.CharField(max_length=30),
        source="dsr_list",
        required=False,
        help_text="Codes des DSR couverts par la ligne (un seul, sinon MIXED_DSR_LINE).",
    )
    scope_label = LabelField("scope")

    class Meta:
        model = QuoteLine
        fields = ["position", "label", "scope", "scope_label", "dsr", "is_technical_debt", "amount_ht",
                  "amount_ttc", "declined"]
        read_only_fields = fields
        extra_kwargs = {
            "declined": {"help_text": "Option hors Ségur refusée par le client à la signature : elle "
                         "ne fait pas partie du devis signé ni de ses totaux."},
        }


class QuoteEventSerializer(serializers.ModelSerializer):
    kind_label = LabelField("kind")
    from_status = StatusField(QuoteStatus, enum_name="QuoteStatusEnum", allow_blank=True)
    to_status = StatusField(QuoteStatus, enum_name="QuoteStatusEnum", allow_blank=True)

    class Meta:
        model = QuoteEvent
        fields = ["kind", "kind_label", "from_status", "to_status", "at", "comment"]
        read_only_fields = fields


class QuoteListSerializer(serializers.ModelSerializer):
    status = StatusField(QuoteStatus, enum_name="QuoteStatusEnum")
    status_label = LabelField("status")
    origin_label = LabelField("origin")
    editor_name = serializers.CharField(source="editor_display", read_only=True)
    client_name = serializers.CharField(source="client.name", read_only=True)
    dsr = serializers.SlugRelatedField(slug_field="code", read_only=True)
    state_funding_ttc = serializers.SerializerMethodField()
    client_remainder_ttc = serializers.SerializerMethodField()

    class Meta:
        model = Quote
        fields = [
            "id",
            "number",
            "origin",
            "origin_label",
            "status",
            "status_label",
            "editor",
            "editor_name",
            "client",
            "client_name",
            "dsr",
            "dossier",
            "order_date",
            "signature_date",
            "delivered_on",
            "issued_at",
            "verdict",
            "check_status",
            "checked_at",
            "state_funding_ttc",
            "client_remainder_ttc",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_state_funding_ttc(self, obj: Quote) -> str | None:
        return obj.report_value("state_funding_ttc")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_client_remainder_ttc(self, obj: Quote) -> str | None:
        return obj.report_value("client_remainder_ttc")


class QuoteDetailSerializer(QuoteListSerializer):
    mentions = serializers.SerializerMethodField()
    conditions = serializers.SerializerMethodField()
    lines = QuoteLineSerializer(many=True, read_only=True)
    check_report = ReportSerializer(read_only=True, allow_null=True)
    has_pdf = serializers.SerializerMethodField()
    events = QuoteEventSerializer(many=True, read_only=True)
    next_actions = serializers.SerializerMethodField(
        help_text="Commandes possibles au statut actuel (issue, cancel, sign, declare_delivery), "
        "et qui peut les faire (editor, lab) : la même table que les boutons des pages."
    )

    class Meta(QuoteListSerializer.Meta):
        fields = [
            *QuoteListSerializer.Meta.fields,
            "signatory_name",
            "signatory_role",
            "window",
            "mentions",
            "conditions",
            "lines",
            "check_report",
            "check_error",
            "has_pdf",
            "next_actions",
            "events",
        ]
        read_only_fields = fields

    def get_mentions(self, obj: Quote) -> list[str]:
        return [m.strip() for m in obj.mentions.splitlines() if m.strip()]

    def get_conditions(self, obj: Quote) -> list[str]:
        return [c.strip() for c in obj.conditions.splitlines() if c.strip()]

    def get_has_pdf(self, obj: Quote) -> bool:
        return bool(obj.pdf)

    @extend_schema_field(serializers.DictField(child=serializers.ChoiceField(choices=QuoteActor.choices)))
    def get_next_actions(self, obj: Quote) -> dict[str, str]:
        if obj.origin != QuoteOrigin.WEB:
            return {}  # an uploaded PDF is only checked here
        return {
            str(action): str(who)
            for (frm, action), step in TRANSITIONS.items()
            if frm == obj.status
            for who in sorted(step.actors)
        }

    def to_representation(self, instance: Quote) -> dict:
        data = super().to_representation(instance)
        # The stored report is given exactly as the checker wrote it (SPEC §4).
        data["check_report"] = instance.check_report
        return data


class FundingSummarySerializer(serializers.Serializer):
    advance_request = serializers.IntegerField(allow_null=True, help_text="Demande d'avance, s'il y a.")
    balance_request = serializers.IntegerField(allow_null=True, help_text="Demande de solde, s'il y a.")
    advance_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    balance_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    can_file_advance = serializers.BooleanField()
    can_file_balance = serializers.BooleanField()
    balance_waits_for = serializers.CharField(help_text="Pourquoi le solde ne peut pas encore être demandé.")


class EditorQuoteDetailSerializer(QuoteDetailSerializer):
    funding = serializers.SerializerMethodField()

    class Meta(QuoteDetailSerializer.Meta):
        fields = [*QuoteDetailSerializer.Meta.fields, "funding"]
        read_only_fields = fields

    @extend_schema_field(FundingSummarySerializer)
    def get_funding(self, obj: Quote) -> dict:
        from .funding_panel import quote_funding_summary

        funding = quote_funding_summary(quote=obj)
        return FundingSummarySerializer(
            {
                "advance_request": funding.advance.pk if funding.advance else None,
                "balance_request": funding.balance.pk if funding.balance else None,
                "advance_amount": funding.advance_amount,
                "balance_amount": funding.balance_amount,
                "can_file_advance": funding.can_file_advance,
                "can_file_balance": funding.can_file_balance,
                "balance_waits_for": funding.balance_waits_for,
            }
        ).data


# --- Editor input -------------------------------------------------------------------------------


class LineInputSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=300)
    scope = serializers.ChoiceField(choices=Scope.choices)
    dsr = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, default=list, max_length=10
    )
    is_technical_debt = serializers.BooleanField(required=False, default=False)
    amount_ttc = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))
    amount_ht = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False, allow_null=True
    )

    def validate_dsr(self, value: list[str]) -> list[str]:
        codes = [c.strip().upper() for c in value if c.strip()]
        if len(",".join(codes)) > 120:
            raise serializers.ValidationError("Trop de DSR sur une même ligne.")
        return codes

    def to_line(self, data: dict) -> LineInput:
        return LineInput(
            label=data["label"],
            scope=data["scope"],
            amount_ttc=data["amount_ttc"],
            amount_ht=data.get("amount_ht"),
            dsr_codes=",".join(data.get("dsr") or ()),
            is_technical_debt=data.get("is_technical_debt", False),
        )


class QuoteWriteSerializer(serializers.Serializer):
    client = IdRelatedField(
        queryset=clients_list(), help_text="Client (laboratoire) : voir /api/editor/clients/."
    )
    dossier = IdRelatedField(
        queryset=Dossier.objects.none(),
        help_text="Votre dossier de référencement de la solution proposée (référencée, ou en cours : "
        "commande conditionnée, règle des 120 jours). Il fixe le DSR du devis.",
    )
    number = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default="",
        help_text="Numéro du devis (attribué automatiquement si vide). Ignoré en modification.",
    )
    order_date = serializers.DateField(required=False, allow_null=True, help_text="Aujourd'hui si absente.")
    mentions = serializers.ListField(
        child=serializers.CharField(allow_blank=True), required=False, default=list,
        help_text="La mention des commandes antérieures au référencement est ajoutée d'office.",
    )
    conditions = serializers.ListField(
        child=serializers.CharField(allow_blank=True), required=False, default=list,
        help_text="Conditions posées au client : laisser vide (la Prestation Ségur est autonome).",
    )
    lines = LineInputSerializer(many=True, allow_empty=False)

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            from segur_funding.organizations.selectors import user_editors

            self.fields["dossier"].queryset = (
                Dossier.objects.filter(editor__in=user_editors(user=user))
                .exclude(status__in=REOPENABLE_STATUSES)
                .select_related("dsr", "editor")
            )

    def service_fields(self) -> dict:
        data = self.validated_data
        line_serializer = LineInputSerializer()
        return {
            "client": data["client"],
            "dsr": data["dossier"].dsr,
            "dossier": data["dossier"],
            "order_date": data.get("order_date"),
            "mentions": "\n".join(m.strip() for m in data["mentions"] if m.strip()),
            "conditions": "\n".join(c.strip() for c in data["conditions"] if c.strip()),
            "lines": [line_serializer.to_line(line) for line in data["lines"]],
        }


# --- Lab input ----------------------------------------------------------------------------------


class SignSerializer(serializers.Serializer):
    signatory_name = serializers.CharField(
        max_length=150, help_text="Nom de la personne qui signe au nom du laboratoire."
    )
    signatory_role = serializers.CharField(
        max_length=150, help_text="Sa fonction, ex. « biologiste responsable »."
    )
    declined_lines = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=10_000),
        required=False,
        default=list,
        max_length=1000,
        help_text="Numéros des options hors Ségur refusées, à partir de 1 (comme `findings[].line` "
        "du rapport, soit `lines[].position` + 1). Une ligne de la Prestation Ségur ou la ligne de "
        "prise en charge par l'État n'est jamais facultative : la refuser est refusé "
        "(SEGUR_NOT_OPTIONAL).",
    )


class DeliverySerializer(serializers.Serializer):
    delivered_on = serializers.DateField(
        required=False, allow_null=True,
        help_text="Date de la mise en ordre de marche (aujourd'hui si absente).",
    )


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="Le devis reçu, en PDF (10 Mo au plus).")
    client = IdField(
        required=False, help_text="Votre organisation (facultatif si vous n'êtes membre que d'une)."
    )
    dsr = serializers.SlugRelatedField(
        slug_field="code", queryset=Dsr.objects.all(), required=False, allow_null=True,
        help_text="DSR du devis, s'il n'est pas lisible dans le PDF.",
    )
    editor_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    order_date = serializers.DateField(required=False, allow_null=True)
    signature_date = serializers.DateField(required=False, allow_null=True)
    referenced_on = serializers.DateField(required=False, allow_null=True)
    proofs_complete_on = serializers.DateField(required=False, allow_null=True)
