"""Input hygiene: what no request may carry, whatever the endpoint, refused before any view runs.

Characters and numbers that Python decodes happily but that break further down the line:
- a NUL character (PostgreSQL refuses it in any text, at query time: a 500 on a mere lookup);
- a lone UTF-16 surrogate (`"\\ud800"` is valid JSON; encoding it to UTF-8 for the database or
  for the JSON answer raises UnicodeEncodeError);
- a non-finite number (`1e400` is valid JSON and decodes to `inf`: int(inf) raises OverflowError
  in DRF's related fields, Decimal(inf) is no amount);
- a string too long for any field we have (a varchar overflow is a 500 on PostgreSQL only).

One middleware reads every door the same way: the query string, form and multipart fields (and
uploaded file names), JSON bodies. API calls get the API's error body {"code", "message"} with a
400; a page gets a French 400 page. The rule itself (`input_problem`) is a plain function, so a
parser, a form or an import can ask the same question.
"""

import json
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

from .files import MAX_UPLOAD_BYTES, MB

# Longer than any text a user types into one field (a candidature note, a quote mention); short
# enough that no string reaches the database only to overflow a column there.
MAX_STRING_LENGTH = 50_000

_SURROGATE = re.compile("[\ud800-\udfff]")


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "caractère nul (\\u0000) interdit"
    if _SURROGATE.search(text):
        return "caractère Unicode invalide (demi-paire de substitution isolée)"
    if len(text) > MAX_STRING_LENGTH:
        return f"texte trop long (plus de {MAX_STRING_LENGTH} caractères)"
    return None


def input_problem(value: Any) -> str | None:
    """What is wrong with a decoded input value (nested dicts and lists walked), in French, or None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            problem = _text_problem(item)
            if problem:
                return problem
        elif isinstance(item, float):
            if not math.isfinite(item):
                return "nombre hors limites (infini ou non numérique)"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return None


def _querydict_problem(data) -> tuple[str, str] | None:
    """(field name, problem) for the first bad key or value of a QueryDict / MultiValueDict."""
    for key, values in data.lists():
        problem = _text_problem(key) or input_problem(values)
        if problem:
            return key, problem
    return None


def _files_problem(files) -> tuple[str, str] | None:
    for key, uploads in files.lists():
        names: Iterable[str] = (upload.name or "" for upload in uploads)
        problem = _text_problem(key) or input_problem(list(names))
        if problem:
            return key, f"nom de fichier invalide : {problem}"
    return None


def _json_problem(body: bytes) -> str | None:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        # Unreadable JSON: the API's parser answers that one with its own message.
        return None
    return input_problem(data)


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def request_problem(request: HttpRequest) -> tuple[str, str] | None:
    """(code, French message) when the request carries input no view should see, else None."""
    found = _querydict_problem(request.GET)
    if found:
        return "INVALID_INPUT", f"Paramètre « {found[0]} » : {found[1]}."
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.content_type or ""
    if _declared_length(request) > MAX_UPLOAD_BYTES + MB:
        # Larger than any upload we accept: the views refuse it without reading it (and the web
        # server in front caps bodies at about that size), so don't parse it here either.
        return None
    try:
        if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            found = _querydict_problem(request.POST) or _files_problem(request.FILES)
            if found:
                return "INVALID_INPUT", f"Champ « {found[0]} » : {found[1]}."
        elif _is_json(content_type):
            problem = _json_problem(request.body)
            if problem:
                return "PARSE_ERROR", f"Corps de requête illisible : {problem}."
    except (RequestDataTooBig, TooManyFieldsSent):
        return "INVALID_INPUT", "Corps de requête trop volumineux ou trop de champs."
    except (MultiPartParserError, SuspiciousOperation, UnicodeDecodeError):
        return "PARSE_ERROR", "Corps de requête illisible (formulaire mal formé)."
    return None


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


class InputHygieneMiddleware:
    """Refuses, with a 400, a request whose query string or body carries unusable input."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = request_problem(request)
        if found is None:
            return self.get_response(request)
        code, message = found
        if _is_api(request):
            return JsonResponse({"code": code, "message": message}, status=400)
        html = render_to_string("bad_input.html", {"message": message}, request=request)
        return HttpResponse(html, status=400)
