import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        # The browser tests' async-unsafe switch must not leak into a deployment check.
        env={k: v for k, v in {**os.environ, **env}.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "segur_funding.settings.production",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789",
    "DJANGO_ALLOWED_HOSTS": "segur.example.fr",
    "SEGUR_SIGNING_KEYS": "k2026:" + "y" * 48,
}


def database_url_for_another_process() -> str:
    """This test run's database, as a DATABASE_URL another process (manage.py) can open: the
    deployment checks read the database (no demo data), which must not be the one `make setup`
    filled with the demo."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.django_db
def test_production_settings_pass_the_deployment_checklist():
    env = {**PRODUCTION_ENV, "DATABASE_URL": database_url_for_another_process()}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY doit être définie" in result.stderr


def test_production_refuses_to_start_without_quote_signing_keys():
    env = {**PRODUCTION_ENV, "SEGUR_SIGNING_KEYS": ""}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SEGUR_SIGNING_KEYS doit être définie" in result.stderr


def test_demo_accounts_cannot_be_loaded_in_production():
    result = _manage("load_demo_data", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "mode démo" in result.stderr


@pytest.mark.django_db
def test_demo_accounts_exist_with_their_roles(reference_data):
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    from segur_funding.organizations.demo import demo_data_load
    from segur_funding.organizations.selectors import (
        is_ans_reviewer,
        is_asp_reviewer,
        user_clients,
        user_editors,
    )

    list(demo_data_load())
    list(demo_data_load())  # idempotent
    users = {
        # django-axes counts attempts per client: authenticate() needs the request.
        email: authenticate(RequestFactory().post("/connexion/"), email=email, password="demo-password")
        for email in [
            "editeur@demo.test",
            "editeur2@demo.test",
            "labo@demo.test",
            "labo2@demo.test",
            "ans@demo.test",
            "asp@demo.test",
            "admin@demo.test",
        ]
    }
    assert all(users.values())
    assert user_editors(user=users["editeur@demo.test"]).get() != user_editors(
        user=users["editeur2@demo.test"]
    ).get()
    lab, lab2 = user_clients(user=users["labo@demo.test"]).get(), user_clients(
        user=users["labo2@demo.test"]
    ).get()
    assert lab != lab2 and lab.geographic_sites != lab2.geographic_sites
    assert is_ans_reviewer(user=users["ans@demo.test"])
    assert not is_asp_reviewer(user=users["ans@demo.test"])
    assert is_asp_reviewer(user=users["asp@demo.test"])
    assert not is_ans_reviewer(user=users["asp@demo.test"])
    assert users["admin@demo.test"].is_superuser


def test_session_and_lockout_limits_must_be_positive_integers():
    for name in ("SEGUR_SESSION_IDLE_MINUTES", "SEGUR_STAFF_SESSION_IDLE_MINUTES", "SEGUR_SESSION_MAX_HOURS",
                 "SEGUR_LOGIN_FAILURES_PER_ADDRESS"):
        result = _manage("check", env={**PRODUCTION_ENV, name: "deux heures"})
        assert result.returncode != 0
        assert f"{name} doit être un entier positif" in result.stderr
