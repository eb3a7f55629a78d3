"""What every app's `apis.py` shares: the error body, its documented examples, pagination.

Views stay thin: they read through selectors (scoped to the user's organisations), write through
services, and let `core.api.exception_handler` turn a DomainError into {"code", "message"} with
the same French sentence the web page shows.
"""

from typing import Any

from django.db.models import TextChoices
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_description_list
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.settings import api_settings

from .api import LargeListPagination, StandardPagination
from .hygiene import input_problem
from .throttling import AnonRateThrottle


class SafeJSONParser(JSONParser):
    """JSON bodies; a document nested too deep for the decoder, or holding what
    `core.hygiene.input_problem` refuses (NUL, lone surrogate, infinite number, huge string), is
    a 400, not a crash. The hygiene middleware refuses those first; the parser says the same
    for a request that reaches DRF another way."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("Corps de requête illisible : imbrication trop profonde.") from None
        problem = input_problem(data)
        if problem:
            raise ParseError(f"Corps de requête illisible : {problem}.")
        return data


JSON_PARSERS = [SafeJSONParser]
# The classes of settings.REST_FRAMEWORK (hashed API keys first, so that an anonymous call is told
# 401 with the token scheme; then the browser's session): named there, so that core does not
# import organizations.
AUTHENTICATION = list(api_settings.DEFAULT_AUTHENTICATION_CLASSES)
UPLOAD_PARSERS = [MultiPartParser, FormParser]
# The public endpoints (no account): per-address limit of the "anon" rate.
PUBLIC_THROTTLES = [AnonRateThrottle]


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


# Identifiers are 64-bit: a larger number is refused as invalid input instead of reaching the
# database (where SQLite and PostgreSQL would fail on it).
MAX_ID = 2**63 - 1


def IdField(**kwargs: Any) -> serializers.IntegerField:
    """An integer identifier in the database's range (400 INVALID_INPUT outside it)."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object by id: a whole number in the database's range, nothing else.

    DRF's own field hands whatever came to `queryset.get(pk=...)`, where Django's int() turns
    1.5 into 1 (the wrong object, silently), True into 1 and inf into an OverflowError (a 500).
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or (isinstance(data, float) and not data.is_integer()):
            self.fail("incorrect_type", data_type=type(data).__name__)
        pk = IdField().run_validation(data)
        return super().to_internal_value(pk)


class CursorPagination(LargeListPagination):
    """Keyset pagination (no COUNT): `next` / `previous` links carry an opaque cursor.

    Stays constant-time at any depth of a list of millions of rows; ordering is by id (the
    creation order), newest first unless `ordering=id`.
    """

    ordering = "-id"


class TenantCursorPagination(CursorPagination):
    """The cursor over one organisation's rows (an editor's, a lab's), read in two steps: the
    ids of the page, then those rows with their joins (one more query).

    The ids come from the organisation's index alone; the joins then run for the page's rows
    only. In one query the planner may instead walk the whole table's id order and filter the
    other organisations out, or merge-join a whole related table: as cheap on the day it is
    chosen, but work that grows with the table and flips with its statistics (issue 17)."""

    def paginate_queryset(self, queryset, request, view=None):
        ids = queryset.select_related(None).prefetch_related(None).only("pk")
        page = super().paginate_queryset(ids, request, view)
        if page is None:
            return None
        found = queryset.order_by().in_bulk([row.pk for row in page])
        return [found[row.pk] for row in page if row.pk in found]


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

    def get_attribute(self, instance: Any) -> Any:
        # Called directly: DRF's generic lookup would inspect the partialmethod's signature on
        # every row, a fifth of a 50-row list's CPU time.
        return getattr(instance, self.source)()


class StatusField(serializers.ChoiceField):
    """A choice field documented as a named enum component (`DossierStatusEnum`…).

    Several resources have a `status` (dossiers, quotes, funding requests) with different
    values: without a name of their own, drf-spectacular would have to invent one per field and
    warns about the collision. The component is built here, so that its name is stable for API
    clients (and generated code) whatever the settings.
    """

    def __init__(self, choices: type[TextChoices], *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        self.enum_choices = choices.choices
        kwargs.setdefault("read_only", True)
        super().__init__(choices=choices.choices, **kwargs)


class StatusFieldExtension(OpenApiSerializerFieldExtension):
    target_class = StatusField

    def map_serializer_field(self, auto_schema, direction):
        field: StatusField = self.target
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema={
                "type": "string",
                "enum": [value for value, _ in field.enum_choices],
                "description": build_choice_description_list(field.enum_choices),
            },
        )
        auto_schema.registry.register_on_missing(component)
        if field.allow_blank:
            return {"oneOf": [component.ref, {"type": "string", "enum": [""]}]}
        return component.ref


def query_params(serializer_class: type[serializers.Serializer], request) -> dict[str, Any]:
    """Validated filters of a list from the query string (400 INVALID_INPUT when malformed)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return {k: v for k, v in serializer.validated_data.items() if v not in (None, "")}
