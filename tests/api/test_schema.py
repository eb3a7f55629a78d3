"""The OpenAPI schema: generated without warning, and no request built from it breaks the server.

The schemathesis run sends generated requests to every operation with the demo users' tokens (an
editor for /api/editor/, a lab for /api/lab/, the ANS and ASP reviewers for theirs, no token for
/api/public/). It is bounded (a few examples per operation) so that it stays well under a minute.
"""

from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, settings

# Who calls each part of the API in the fuzz run (and in the schema test below).
AUDIENCE = {
    "/api/editor/": "editeur",
    "/api/lab/": "labo",
    "/api/ans/": "ans",
    "/api/asp/": "asp",
    "/api/me/": "editeur",
    "/api/public/": None,
}


def test_schema_generates_without_warnings_or_errors(capsys):
    """`manage.py spectacular --validate --fail-on-warn`, as CI would run it (the project's
    deployment check runs drf-spectacular's schema check too)."""
    err = StringIO()
    try:
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null", stderr=err)
    except Exception as exc:  # the command fails with SchemaGenerationError on any warning
        warnings = capsys.readouterr().err + err.getvalue()
        pytest.fail(f"Le schéma OpenAPI a des avertissements ou des erreurs ({exc}) :\n{warnings}")


def test_schema_documents_every_operation_with_examples_and_error_answers(client):
    schema = client.get("/api/schema/?format=json").json()
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"]
            ok = next(code for code in answers if code.startswith("2"))
            content = answers[ok].get("content", {})
            has_example = any("examples" in media for media in content.values()) or any(
                "examples" in media for media in operation.get("requestBody", {}).get("content", {}).values()
            )
            binary = any(media.get("schema", {}).get("format") == "binary" for media in content.values())
            if not (has_example or binary):
                missing.append(f"{method.upper()} {path}: pas d'exemple")
            takes_input = operation.get("parameters") or operation.get("requestBody")
            if takes_input and not any(code.startswith("4") for code in answers):
                missing.append(f"{method.upper()} {path}: pas de réponse d'erreur documentée")
            if not operation.get("summary"):
                missing.append(f"{method.upper()} {path}: pas de résumé")
    assert not missing, "\n".join(missing)


@pytest.fixture
def wsgi_in_test_transaction(demo):
    """In-process WSGI requests that keep the test's transaction, like Django's test client."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from segur_funding.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _audience(path: str) -> str | None:
    return next(who for prefix, who in AUDIENCE.items() if path.startswith(prefix))


def _real_objects(demo) -> dict[str, dict[str, object]]:
    """Path parameters naming real demo objects, per path prefix, so that generated bodies also
    reach the commands (not only the 404 of an unknown id)."""
    from segur_funding.funding.models import FundingRequest

    referenced = demo.dossier("BioLab SGL")
    under_review = demo.dossier("LabSoft SGL")
    queued = FundingRequest.objects.get(quote__number="D-DEMO-0002")
    return {
        "/api/editor/dossiers/": {"id": referenced.pk, "proof_pk": referenced.proofs.first().pk},
        "/api/editor/solutions/": {"id": referenced.solution_version.solution_id},
        "/api/editor/quotes/": {"id": demo.quote("D-DEMO-0004").pk},
        "/api/editor/funding-requests/": {"id": queued.pk},
        "/api/lab/quotes/": {"id": demo.quote("D-DEMO-0001").pk},
        "/api/ans/dossiers/": {"id": under_review.pk, "proof_pk": under_review.proofs.first().pk},
        "/api/asp/funding-requests/": {"id": queued.pk},
        "/api/public/dsrs/": {"code": "SGL-V1"},
    }


def _fuzz(strategy, examples: int, call) -> None:
    """Run `call(case)` on `examples` cases drawn from `strategy` (reproducible, no shrinking
    needed: `call` records failures instead of raising)."""
    from hypothesis import given

    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        call(case)

    run()


def test_no_generated_request_makes_a_server_error(demo, wsgi_in_test_transaction):
    import schemathesis  # a dev dependency (pyproject [dev]): imported here, not at collection
    from django.db import transaction
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode

    api = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_in_test_transaction)
    real = _real_objects(demo)
    errors: list[str] = []
    calls: list[str] = []

    def call(case, headers: dict[str, str]) -> None:
        # Each request in its own savepoint: a generated command never changes what the next
        # request sees.
        savepoint = transaction.savepoint()
        try:
            response = case.call(headers=headers)
            calls.append(case.operation.path)
            if response.status_code >= 500:
                errors.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: "
                    f"{case.body!r:.300} {response.text[:300]}"
                )
        finally:
            transaction.savepoint_rollback(savepoint)

    for result in api.get_all_operations():
        operation = result.ok()
        who = _audience(operation.path)
        headers = {"Authorization": f"Token {demo.tokens[who]}"} if who else {}
        params = next((v for k, v in real.items() if operation.path.startswith(k)), None)
        wanted = {p.name for p in operation.path_parameters}
        runs = [(GenerationMode.POSITIVE, None, 4), (GenerationMode.NEGATIVE, None, 3)]
        if wanted and params and wanted <= set(params):
            runs.append((GenerationMode.POSITIVE, {k: params[k] for k in wanted}, 6))
        for mode, path_parameters, examples in runs:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
            try:
                _fuzz(strategy, examples, lambda case, headers=headers: call(case, headers))
            except Unsatisfiable:
                # Nothing to make invalid (no body, no query): the positive run covers it.
                assert mode == GenerationMode.NEGATIVE, f"{operation.method} {operation.path}"

    assert len(set(calls)) >= 50, "toutes les opérations doivent avoir été appelées"
    assert not errors, "\n".join(errors)


# Values that decode fine but broke the server further down (core/hygiene.py): as JSON literals.
HOSTILE_JSON = ['"\\ud800"', '"a\\u0000b"', '"' + "A" * 50_001 + '"', "1e400", "-1e400", "1.5",
                "99999999999999999999999999", "true"]
HOSTILE_TEXT = ["a\x00b", "A" * 50_001, "1e400", "1.5", "-1", "99999999999999999999999999",
                "\ufffd\U0001f600"]


def _leaves(value, path=()):
    """Paths to every string, number or boolean of a decoded JSON body."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _leaves(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _leaves(child, (*path, i))
    else:
        yield path


def _with_marker(body, path, marker: str):
    import copy

    if not path:
        return marker
    body = copy.deepcopy(body)
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = marker
    return body


def test_hostile_values_in_every_field_make_no_server_error(demo, client, wsgi_in_test_transaction):
    """Every operation, every body field and query parameter, with a lone surrogate, a NUL, a
    50,001-character string, infinite, fractional and huge numbers: a 4xx each time."""
    import json

    import schemathesis
    from django.db import transaction
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode

    api = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_in_test_transaction)
    real = _real_objects(demo)
    errors: list[str] = []
    sent = 0

    def send(method: str, url: str, headers: dict, **kwargs) -> None:
        nonlocal sent
        savepoint = transaction.savepoint()
        try:
            response = client.generic(method, url, headers=headers, **kwargs)
            sent += 1
            if response.status_code >= 500:
                errors.append(f"{method} {url} {str(kwargs.get('data'))[:200]} -> {response.status_code}")
        finally:
            transaction.savepoint_rollback(savepoint)

    for result in api.get_all_operations():
        operation = result.ok()
        who = _audience(operation.path)
        headers = {"Authorization": f"Token {demo.tokens[who]}"} if who else {}
        params = next((v for k, v in real.items() if operation.path.startswith(k)), {})
        path = operation.path
        for parameter in operation.path_parameters:
            path = path.replace("{" + parameter.name + "}", str(params.get(parameter.name, 1)))
        url = path
        method = operation.method.upper()
        for parameter in operation.query:
            for value in HOSTILE_TEXT:
                send(method, url, headers, QUERY_STRING=urlencode({parameter.name: value}))
        cases = []
        strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
        try:
            _fuzz(strategy, 1, cases.append)
        except Unsatisfiable:  # nothing to generate: the query parameters above were all it takes
            continue
        case = cases[0]
        if case.media_type == "application/json" and case.body is not None:
            for leaf in list(_leaves(case.body))[:12]:
                marked = json.dumps(_with_marker(case.body, leaf, "@@HOSTILE@@"))
                for literal in HOSTILE_JSON:
                    body = marked.replace('"@@HOSTILE@@"', literal)
                    send(method, url, headers, data=body, content_type="application/json")
        elif case.media_type == "multipart/form-data" and isinstance(case.body, dict):
            from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

            for key, value in case.body.items():
                if isinstance(value, bytes):
                    continue
                for hostile in HOSTILE_TEXT:
                    data = encode_multipart(BOUNDARY, {**case.body, key: hostile})
                    send(method, url, headers, data=data, content_type=MULTIPART_CONTENT)

    assert sent >= 550
    assert not errors, "\n".join(errors[:40])
