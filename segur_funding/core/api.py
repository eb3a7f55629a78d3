"""API plumbing shared by every app: errors as {"code", "message"}, pagination, throttles."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import OperationalError, ProgrammingError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .database import NOT_MIGRATED, migrations_pending
from .errors import DomainError

logger = logging.getLogger(__name__)

_DEFAULT_MESSAGES = {
    exceptions.NotAuthenticated: ("NOT_AUTHENTICATED", "Authentification requise."),
    exceptions.AuthenticationFailed: ("AUTHENTICATION_FAILED", "Identifiants ou jeton invalides."),
    exceptions.PermissionDenied: ("PERMISSION_DENIED", "Vous n'avez pas le droit de faire cette action."),
    exceptions.NotFound: ("NOT_FOUND", "Introuvable."),
    exceptions.MethodNotAllowed: ("METHOD_NOT_ALLOWED", "Méthode non autorisée."),
    exceptions.Throttled: ("THROTTLED", "Trop de requêtes : réessayez dans quelques instants."),
    exceptions.UnsupportedMediaType: ("UNSUPPORTED_MEDIA_TYPE", "Type de contenu non pris en charge."),
    exceptions.ParseError: ("PARSE_ERROR", "Corps de requête illisible (JSON invalide ?)."),
}


def _first_message(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict) and detail:
        key, value = next(iter(detail.items()))
        message = _first_message(value)
        return message if key in ("non_field_errors", "detail") else f"{key} : {message}"
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error is {"code": STABLE_CODE, "message": "French sentence"} (+ "errors")."""
    if isinstance(exc, DomainError):
        return Response({"code": exc.code, "message": exc.message}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, OperationalError | ProgrammingError) and migrations_pending(exc):
        # Still the server error it was (500), but saying what to do instead of an HTML page.
        logger.error("Unapplied migrations: %s", exc, exc_info=exc)
        return Response(
            {"code": "DATABASE_NOT_MIGRATED", "message": NOT_MIGRATED},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "INVALID_INPUT",
            "message": _first_message(exc.detail),
            "errors": exc.detail,
        }
        return response
    for cls, (code, message) in _DEFAULT_MESSAGES.items():
        if isinstance(exc, cls):
            if isinstance(exc, exceptions.Throttled) and exc.wait:
                message = f"Trop de requêtes : réessayez dans {int(exc.wait) + 1} s."
            response.data = {"code": code, "message": message}
            return response
    response.data = {"code": "ERROR", "message": _first_message(getattr(exc, "detail", str(exc)))}
    return response


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class LargeListPagination(CursorPagination):
    """Keyset pagination for the big lists: no COUNT(*), constant cost at any depth."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"
