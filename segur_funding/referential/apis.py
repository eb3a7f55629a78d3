"""Public reference data: the DSRs with their active funding scheme (barème and windows)."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets

from segur_funding.core.apis import JSON_PARSERS, PUBLIC_THROTTLES, responses

from .models import Dsr, FundingScheme, FundingWindow, Tier
from .selectors import dsr_list


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = ["code", "sites_from", "sites_to", "cap_ht", "cap_ttc"]
        read_only_fields = fields


class WindowSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = FundingWindow
        fields = [
            "number",
            "label",
            "opens_on",
            "order_signature_deadline",
            "proofs_complete_deadline",
            "advance_request_deadline",
            "service_completion_deadline",
            "balance_request_deadline",
        ]
        read_only_fields = fields


class SchemeSerializer(serializers.ModelSerializer):
    tiers = TierSerializer(many=True, read_only=True)
    windows = WindowSerializer(many=True, read_only=True)

    class Meta:
        model = FundingScheme
        fields = ["name", "version", "published_on", "advance_rate", "preorder_max_days",
                  "state_funding_wording", "conditional_order_mention", "tiers", "windows"]
        read_only_fields = fields


class DsrSerializer(serializers.ModelSerializer):
    corridor = serializers.CharField(source="corridor.name", read_only=True)
    funding_scheme = serializers.SerializerMethodField(
        help_text="L'appel à financement en vigueur, ou null tant qu'aucun barème n'est publié."
    )

    class Meta:
        model = Dsr
        fields = ["code", "software", "corridor", "wave", "arrete_date", "funding_scheme"]
        read_only_fields = fields

    @extend_schema_field(SchemeSerializer(allow_null=True))
    def get_funding_scheme(self, obj: Dsr) -> dict | None:
        active = obj.active_schemes
        return SchemeSerializer(active[0]).data if active else None


DSR_EXAMPLE = {
    "code": "LOINC-V1",
    "software": "Transcodeur LOINC",
    "corridor": "Biologie médicale",
    "wave": 1,
    "arrete_date": "2021-08-11",
    "funding_scheme": {
        "name": "AF LOINC vague 1",
        "version": "1",
        "published_on": "2021-08-11",
        "advance_rate": "0.300",
        "preorder_max_days": 120,
        "state_funding_wording": "Montant de la Prestation Ségur pris en charge par l'Etat au titre "
        "du Ségur",
        "conditional_order_mention": "Bon de commande conditionné à l'obtention par le logiciel du "
        "référencement ANS. …",
        "tiers": [{"code": "U", "sites_from": 1, "sites_to": None, "cap_ht": "2917.00",
                   "cap_ttc": "3500.00"}],
        "windows": [{"number": 1, "label": "Fenêtre de financement 1", "opens_on": None,
                     "order_signature_deadline": "2022-07-15", "proofs_complete_deadline": "2022-05-15",
                     "advance_request_deadline": "2022-11-30",
                     "service_completion_deadline": "2022-10-15",
                     "balance_request_deadline": "2023-04-28"}],
    },
}


@extend_schema_view(
    list=extend_schema(
        tags=["Public"],
        summary="DSR publiés, avec leur barème et leurs fenêtres de financement",
        responses=responses(DsrSerializer(many=True), 429),
        examples=[OpenApiExample("LOINC-V1", value=[DSR_EXAMPLE], response_only=True)],
    ),
    retrieve=extend_schema(
        tags=["Public"],
        summary="Un DSR, avec son barème et ses fenêtres de financement",
        responses=responses(DsrSerializer, 404, 429),
        examples=[OpenApiExample("LOINC-V1", value=DSR_EXAMPLE, response_only=True)],
    ),
)
class DsrViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DsrSerializer
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    parser_classes = JSON_PARSERS
    pagination_class = None  # a handful of rows
    throttle_classes = PUBLIC_THROTTLES
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9._-]+"

    def get_queryset(self):
        active = FundingScheme.objects.filter(is_active=True).prefetch_related(
            Prefetch("tiers", queryset=Tier.objects.order_by("sites_from")),
            Prefetch("windows", queryset=FundingWindow.objects.order_by("number")),
        )
        return dsr_list().prefetch_related(
            Prefetch("funding_schemes", queryset=active, to_attr="active_schemes")
        )
