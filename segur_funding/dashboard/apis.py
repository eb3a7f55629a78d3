"""Public statistics API: the figures of the /statistiques/ page, as JSON."""


from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from segur_funding.core import clock
from segur_funding.core.apis import JSON_PARSERS, PUBLIC_THROTTLES, responses

from .selectors import DEFAULT_WEEKS, MAX_WEEKS, programme_figures, weekly_series


class StatisticsQuerySerializer(serializers.Serializer):
    date = serializers.DateField(
        required=False, help_text="Données au soir de ce jour (AAAA-MM-JJ, aujourd'hui par défaut)."
    )
    weeks = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_WEEKS,
        default=DEFAULT_WEEKS,
        help_text="Nombre de semaines des séries, jusqu'à celle de `date`.",
    )

    def validate_date(self, value: date) -> date:
        if value > clock.today():
            raise serializers.ValidationError("La date ne peut pas être dans le futur.")
        if value.year < 2000:
            raise serializers.ValidationError("Date trop ancienne.")
        return value


class DsrFiguresSerializer(serializers.Serializer):
    dsr = serializers.CharField(source="dsr_code", help_text="Vide pour la ligne de total.")
    software = serializers.CharField()
    dossiers_in_progress = serializers.IntegerField(
        help_text="Dossiers en cours de traitement (éligibilité + dépôt de preuves)."
    )
    referenced_editors = serializers.IntegerField(help_text="Éditeurs référencés.")
    validated_advances = serializers.IntegerField(
        help_text="Demandes de financement validées (avances)."
    )
    committed_ttc = serializers.DecimalField(
        max_digits=14, decimal_places=2,
        help_text="Prise en charge de l'État des devis dont l'avance est validée.",
    )
    paid_ttc = serializers.DecimalField(max_digits=14, decimal_places=2)
    advances_paid_ttc = serializers.DecimalField(max_digits=14, decimal_places=2)
    balances_paid_ttc = serializers.DecimalField(max_digits=14, decimal_places=2)


class WeekFiguresSerializer(serializers.Serializer):
    week_start = serializers.DateField(help_text="Le lundi de la semaine.")
    dossiers_submitted = serializers.IntegerField(help_text="Candidatures déposées.")
    referencings_granted = serializers.IntegerField(help_text="Référencements accordés.")
    payments = serializers.IntegerField(help_text="Versements enregistrés.")
    paid_ttc = serializers.DecimalField(max_digits=14, decimal_places=2)


class StatisticsSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    rows = DsrFiguresSerializer(many=True)
    total = DsrFiguresSerializer()
    weeks = WeekFiguresSerializer(many=True)


STATISTICS_EXAMPLE = {
    "as_of": "2022-06-30",
    "rows": [
        {"dsr": "SGL-V1", "software": "Système de Gestion de Laboratoire", "dossiers_in_progress": 7,
         "referenced_editors": 3, "validated_advances": 31, "committed_ttc": "1021140.00",
         "paid_ttc": "306342.00", "advances_paid_ttc": "306342.00", "balances_paid_ttc": "0.00"},
    ],
    "total": {"dsr": "", "software": "Tous les DSR", "dossiers_in_progress": 7, "referenced_editors": 3,
              "validated_advances": 31, "committed_ttc": "1021140.00", "paid_ttc": "306342.00",
              "advances_paid_ttc": "306342.00", "balances_paid_ttc": "0.00"},
    "weeks": [
        {"week_start": "2022-06-27", "dossiers_submitted": 1, "referencings_granted": 0, "payments": 4,
         "paid_ttc": "39528.00"},
    ],
}


class StatisticsView(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    parser_classes = JSON_PARSERS
    throttle_classes = PUBLIC_THROTTLES

    @extend_schema(
        tags=["Public"],
        operation_id="public_statistics",
        summary="Statistiques du programme (« Données au … »), par DSR et par semaine",
        description="Les chiffres de la page /statistiques/ : par DSR et au total, à la date "
        "choisie ; puis, par semaine, les candidatures déposées, les référencements accordés et "
        "les versements.",
        parameters=[StatisticsQuerySerializer],
        responses=responses(StatisticsSerializer, 400, 429),
        examples=[OpenApiExample("Données au 30 juin 2022", value=STATISTICS_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        query = StatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        as_of = query.validated_data.get("date") or clock.today()
        figures = programme_figures(as_of=as_of)
        series = weekly_series(as_of=as_of, weeks=query.validated_data["weeks"])
        data = {
            "as_of": figures.as_of,
            "rows": figures.rows,
            "total": figures.total,
            "weeks": series.weeks,
        }
        return Response(StatisticsSerializer(data).data)
