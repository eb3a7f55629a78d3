"""Signed-in pages and API answers are never kept by a browser or a shared cache (issue 16)."""

import subprocess
import sys
import time

import pytest
from django.core.cache import cache

from segur_funding.organizations.models import User
from segur_funding.organizations.services import api_token_create
from tests.conftest import ROOT
from tests.core.test_settings import database_url_for_another_process

PASSWORD = "un-mot-de-passe-solide-42"


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


@pytest.mark.django_db
def test_signed_in_pages_and_every_api_answer_are_private_and_not_stored(client):
    user = User.objects.create_user("martine@labo.example", PASSWORD)
    assert not _no_store(client.get("/"))  # a public page may be cached
    assert _no_store(client.get("/api/public/dsrs/"))
    assert _no_store(client.get("/api/me/"))  # 401 too
    key = api_token_create(user=user)
    answer = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert answer.status_code == 200 and _no_store(answer)
    client.force_login(user)
    for path in ("/", "/compte/jeton-api/", "/api/me/", "/statistiques/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert _no_store(response), path


@pytest.mark.django_db
def test_answers_made_before_the_view_are_private_too(client):
    """The refusals that middlewares answer themselves (bad input, the second factor still to
    give) went out without the header: the 400 page shows the signed-in header, the redirect
    belongs to a session that gave its password."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.create_user("martine@labo.example", PASSWORD)
    client.force_login(user)
    page = client.get("/mon-espace/", {"q": "\x00"})
    assert page.status_code == 400 and "martine@labo.example" in page.content.decode()
    assert _no_store(page)
    answer = client.get("/api/me/", {"q": "\x00"})
    assert answer.status_code == 400 and _no_store(answer)

    reviewer = User.objects.create_user("revue@ans.example", PASSWORD, is_staff=True)
    TOTPDevice.objects.create(user=reviewer, name="Téléphone", confirmed=True)
    client.logout()
    assert client.post("/connexion/", {"username": reviewer.email, "password": PASSWORD}).status_code == 302
    redirect = client.get("/mon-espace/")
    assert redirect.status_code == 302 and "/double-authentification/code/" in redirect["Location"]
    assert _no_store(redirect)


@pytest.mark.django_db(transaction=True)
def test_the_public_checker_quota_is_shared_by_every_web_process(client, monkeypatch):
    """60 calls a minute per address whatever process answers: a second process (another
    gunicorn worker) sees the calls this one counted."""
    from rest_framework.throttling import SimpleRateThrottle

    # The calls are stamped 45 s ahead, so that they still count when the other process asks,
    # however slow a loaded machine makes these 60 calls and that process's start.
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: time.time() + 45)
    cache.clear()
    url = "/api/public/quote-check/"
    address = "203.0.113.61"
    answers = [
        client.post(url, data="{}", content_type="application/json", REMOTE_ADDR=address).status_code
        for _ in range(60)
    ]
    assert 429 not in answers
    other_worker = (
        "import django; django.setup(); from django.test import Client; "
        f"print(Client(HTTP_HOST='localhost').post({url!r}, data='{{}}', content_type='application/json', "
        f"REMOTE_ADDR={address!r}).status_code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", other_worker],
        cwd=ROOT,
        env={
            **_environ(),
            "DJANGO_SETTINGS_MODULE": "segur_funding.settings.test",
            "DATABASE_URL": database_url_for_another_process(),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout.strip().splitlines()[-1] == "429", result.stdout + result.stderr


def _environ() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


@pytest.fixture
def quota_of_five(monkeypatch):
    """Five calls a minute, all made at the same instant (the throttle's clock stands still):
    whatever the speed of the machine, exactly five are answered."""
    from rest_framework.throttling import SimpleRateThrottle

    from segur_funding.core.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"public_checker": "5/min"})
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: 1_800_000_000.0)
    cache.clear()


def _concurrent_public_checks(calls: int, *, address: str) -> list[int]:
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections
    from django.test import Client

    def call(_):
        try:
            return Client().post(
                "/api/public/quote-check/", data="{}", content_type="application/json", REMOTE_ADDR=address
            ).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        return list(pool.map(call, range(calls)))


@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_to_the_public_checker_never_exceed_the_quota(quota_of_five):
    # Ten at a time, as a client hammering the checker would: DRF alone reads the same history in
    # several of them and counts them once (116 of 130 calls answered on three gunicorn workers).
    answers = _concurrent_public_checks(20, address="203.0.113.90")
    assert answers.count(429) == 15
    assert 500 not in answers


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_never_exceed_the_quota_on_postgresql(quota_of_five):
    answers = _concurrent_public_checks(20, address="203.0.113.91")
    assert answers.count(429) == 15
