"""What every app's `apis.py` shares: the error body, its documented examples, pagination.

Views stay thin: they read through selectors (scoped to the user's organisations), write through
services, and let `core.api.exception_handler` turn a DomainError into {"code", "message"} with
the same French sentence the web page shows.
"""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from .api import LargeListPagination, StandardPagination


class SafeJSONParser(JSONParser):
    """JSON bodies; a document nested too deep for the decoder is a 400, not a crash."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("Corps de requête illisible : imbrication trop profonde.") from None


JSON_PARSERS = [SafeJSONParser]
UPLOAD_PARSERS = [MultiPartParser, FormParser]


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer."""

    code = serializers.CharField(help_text="Code stable (les clients d'API s'y fient).")
    message = serializers.CharField(help_text="Phrase en français, à montrer telle quelle.")
    errors = serializers.DictField(
        required=False,
        help_text="Erreurs par champ (seulement pour INVALID_INPUT).",
        child=serializers.JSONField(),
    )


_ERROR_EXAMPLES: dict[int, list[OpenApiExample]] = {
    400: [
        OpenApiExample(
            "Action refusée par une règle",
            value={
                "code": "ILLEGAL_TRANSITION",
                "message": "Action impossible : « Déposer les preuves » n'est pas possible pour "
                "un dossier au statut « Brouillon ».",
            },
            response_only=True,
            status_codes=["400"],
        ),
        OpenApiExample(
            "Saisie invalide",
            value={
                "code": "INVALID_INPUT",
                "message": "comment : Ce champ est obligatoire.",
                "errors": {"comment": ["Ce champ est obligatoire."]},
            },
            response_only=True,
            status_codes=["400"],
        ),
    ],
    401: [
        OpenApiExample(
            "Non authentifié",
            value={"code": "NOT_AUTHENTICATED", "message": "Authentification requise."},
            response_only=True,
            status_codes=["401"],
        )
    ],
    403: [
        OpenApiExample(
            "Rôle insuffisant",
            value={
                "code": "PERMISSION_DENIED",
                "message": "Vous n'avez pas le droit de faire cette action.",
            },
            response_only=True,
            status_codes=["403"],
        )
    ],
    404: [
        OpenApiExample(
            "Introuvable (ou appartenant à une autre organisation)",
            value={"code": "NOT_FOUND", "message": "Introuvable."},
            response_only=True,
            status_codes=["404"],
        )
    ],
    429: [
        OpenApiExample(
            "Trop de requêtes",
            value={"code": "THROTTLED", "message": "Trop de requêtes : réessayez dans 12 s."},
            response_only=True,
            status_codes=["429"],
        )
    ],
}

_ERROR_DESCRIPTIONS = {
    400: "Refus : règle métier (code stable, message en français) ou saisie invalide.",
    401: "Authentification requise (jeton `Authorization: Token …` ou session).",
    403: "Rôle insuffisant pour cette ressource.",
    404: "Objet introuvable, ou appartenant à une autre organisation.",
    429: "Trop de requêtes.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """Documented error answers, with examples, for `extend_schema(responses=...)`."""
    return {
        status: OpenApiResponse(
            response=ErrorSerializer,
            description=_ERROR_DESCRIPTIONS[status],
            examples=_ERROR_EXAMPLES[status],
        )
        for status in statuses
    }


def responses(ok: Any, *errors: int, status: int = 200) -> dict[int, Any]:
    return {status: ok, **error_responses(*errors)}


# What each kind of endpoint can answer besides its success.
READ_ERRORS = (401, 404)
LIST_ERRORS = (400, 401)
COMMAND_ERRORS = (400, 401, 404)
REVIEWER_LIST_ERRORS = (400, 401, 403)
REVIEWER_READ_ERRORS = (401, 403, 404)
REVIEWER_COMMAND_ERRORS = (400, 401, 403, 404)


class CursorPagination(LargeListPagination):
    """Keyset pagination (no COUNT): `next` / `previous` links carry an opaque cursor.

    Stays constant-time at any depth of a list of millions of rows; ordering is by id (the
    creation order), newest first unless `ordering=id`.
    """

    ordering = "-id"


class PagePagination(StandardPagination):
    """Page numbers with a total count, for the small lists (solutions, public lists)."""


class IdOrdering(OrderingFilter):
    """`ordering=-id` (newest first, the default) or `ordering=id`: the only orders a cursor can
    walk on an index whatever the size of the table."""

    ordering_fields = ["id"]
    ordering_description = "Ordre de la liste : `-id` (les plus récents d'abord, par défaut) ou `id`."


@extend_schema_field(OpenApiTypes.STR)
class LabelField(serializers.CharField):
    """The French label of a choice field (`get_<field>_display`)."""

    def __init__(self, source_field: str, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", f"get_{source_field}_display")
        super().__init__(**kwargs)


def query_params(serializer_class: type[serializers.Serializer], request) -> dict[str, Any]:
    """Validated filters of a list from the query string (400 INVALID_INPUT when malformed)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return {k: v for k, v in serializer.validated_data.items() if v not in (None, "")}
