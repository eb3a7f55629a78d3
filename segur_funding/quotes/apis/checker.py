"""The one checker on a JSON document: for signed-in labs, and for anyone (throttled)."""

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import ParseError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from segur_funding.core.apis import AUTHENTICATION, SafeJSONParser, responses
from segur_funding.core.errors import InvalidInput
from segur_funding.core.hygiene import input_problem
from segur_funding.core.throttling import ScopedRateThrottle
from segur_funding.organizations.apis import IsLabMember

from .. import services
from ..documents import quote_json_loads
from ..serializers import QuoteDocumentSerializer, ReportSerializer
from .common import LAB_TAG, PUBLIC_TAG
from .examples import DOCUMENT_EXAMPLE, NON_CONFORM_REPORT_EXAMPLE, REPORT_EXAMPLE


class QuoteDocumentParser(SafeJSONParser):
    """A quote document decoded as the command decodes a file (`quote_json_loads`): numbers as
    Decimal, so an integer of any length is a value the checker refuses with a French sentence
    naming the field (400), never a crash, and the API and `check_quote` read the same values."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = quote_json_loads(stream.read().decode(encoding))
        except UnicodeDecodeError:
            raise ParseError("Corps de requête illisible : encodage invalide.") from None
        except InvalidInput as exc:
            raise ParseError(exc.message) from None
        problem = input_problem(data)
        if problem:
            raise ParseError(f"Corps de requête illisible : {problem}.")
        return data


CHECK_PARSERS = [QuoteDocumentParser]

CHECK_SCHEMA = {
    "request": QuoteDocumentSerializer,
    "responses": responses(ReportSerializer, 400),
    "examples": [
        OpenApiExample("Devis SGL-V1, tranche B", value=DOCUMENT_EXAMPLE, request_only=True),
        OpenApiExample("Conforme", value=REPORT_EXAMPLE, response_only=True),
        OpenApiExample("Non conforme : reste à charge", value=NON_CONFORM_REPORT_EXAMPLE,
                       response_only=True),
        OpenApiExample(
            "Document illisible",
            value={"code": "INVALID_INPUT", "message": "client.geographic_sites : le nombre de sites "
                   "géographiques doit être au moins 1 (reçu : 0)."},
            response_only=True,
            status_codes=["400"],
        ),
    ],
}
CHECK_DESCRIPTION = (
    "Vérifie un devis décrit en JSON (SPEC §4) et renvoie le rapport : verdict, tranche, plafonds, "
    "reste à charge, avance et solde, problèmes relevés. Le même vérificateur sert la page du "
    "laboratoire et `manage.py check_quote` : même document, même rapport. Rien n'est enregistré."
)


class QuoteCheckView(APIView):
    """The checker for a signed-in lab (not throttled like the public door)."""

    permission_classes = [IsLabMember]
    authentication_classes = AUTHENTICATION
    parser_classes = CHECK_PARSERS

    @extend_schema(
        tags=[LAB_TAG],
        operation_id="lab_quote_check",
        summary="Vérifier un devis (document JSON)",
        description=CHECK_DESCRIPTION,
        **{**CHECK_SCHEMA, "responses": responses(ReportSerializer, 400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        return Response(services.document_check(request.data))


class PublicQuoteCheckView(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    parser_classes = CHECK_PARSERS
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public_checker"

    @extend_schema(
        tags=[PUBLIC_TAG],
        operation_id="public_quote_check",
        summary="Vérifier un devis (document JSON), sans compte",
        description=CHECK_DESCRIPTION + " Limité à 60 vérifications par minute et par adresse.",
        **{**CHECK_SCHEMA, "responses": responses(ReportSerializer, 400, 429)},
    )
    def post(self, request: Request) -> Response:
        return Response(services.document_check(request.data))
