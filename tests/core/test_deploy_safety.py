"""Demo data never reaches production (issue 16): the deployment checklist fails while it exists,
and its accounts cannot sign in anywhere outside demo mode."""

import io
import os
import subprocess
from html import unescape

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from segur_funding.core import clock
from segur_funding.organizations.models import User
from segur_funding.organizations.services import api_token_create
from tests.conftest import ROOT
from tests.core.test_settings import PRODUCTION_ENV, _manage, database_url_for_another_process

PASSWORD = "un-mot-de-passe-solide-42"
REFUSED = "Les comptes de démonstration (@demo.test) sont désactivés"


def _check_deploy():
    env = {**PRODUCTION_ENV, "DATABASE_URL": database_url_for_another_process()}
    return _manage("check", "--deploy", env=env)


@pytest.mark.django_db(transaction=True)
def test_check_deploy_fails_while_demo_data_is_in_the_database(reference_data):
    from segur_funding.organizations.demo import demo_accounts_load
    from segur_funding.quotes.demo import demo_window_ensure

    demo_accounts_load()
    demo_window_ensure(today=clock.today())
    result = _check_deploy()
    assert result.returncode != 0
    report = result.stdout + result.stderr
    assert "segur.E001" in report and "admin@demo.test" in report
    assert "segur.E002" in report and "Biologiciel SAS" in report
    assert "segur.E003" in report and "fenêtre de financement de démonstration" in report
    assert "make deploy" in report


@pytest.mark.django_db(transaction=True)
def test_check_deploy_passes_once_the_demo_is_gone(reference_data):
    User.objects.create_superuser("admin@ars.example.fr", PASSWORD)
    result = _check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.fixture
def demo_users(db, settings):
    from segur_funding.organizations.demo import demo_accounts_load

    accounts = demo_accounts_load()
    settings.SEGUR_DEMO_MODE = False  # production
    return accounts.users


def _login(client, email, password="demo-password", *, admin=False):
    return client.post("/admin/login/" if admin else "/connexion/", {"username": email, "password": password})


def test_demo_accounts_cannot_log_in_outside_demo_mode(client, demo_users):
    attempts = [("editeur@demo.test", False), ("admin@demo.test", True), ("ADMIN@demo.test ", False)]
    for email, admin in attempts:
        response = _login(client, email, admin=admin)
        assert response.status_code == 200
        assert REFUSED in unescape(response.content.decode())
        assert "_auth_user_id" not in client.session
    request = RequestFactory().post("/connexion/")
    assert authenticate(request, email="admin@demo.test", password="demo-password") is None
    # A real account still signs in under the same settings.
    User.objects.create_user("martine@labo.example", PASSWORD)
    assert _login(client, "martine@labo.example", PASSWORD).status_code == 302


def test_a_demo_session_opened_earlier_is_worth_nothing_outside_demo_mode(client, demo_users, settings):
    settings.SEGUR_DEMO_MODE = True
    client.force_login(demo_users["admin"])
    assert client.get("/admin/").status_code == 200
    settings.SEGUR_DEMO_MODE = False
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client.get("/api/me/").status_code in (401, 403)


def test_a_demo_api_token_is_refused_outside_demo_mode(client, demo_users):
    key = api_token_create(user=demo_users["editeur"])
    response = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401


def test_demo_accounts_still_work_in_demo_mode(client, demo_users, settings):
    settings.SEGUR_DEMO_MODE = True
    assert _login(client, "editeur@demo.test").status_code == 302
    key = api_token_create(user=demo_users["labo"])
    assert client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}").json()["email"] == "labo@demo.test"


# --- The production sequence -------------------------------------------------------------------


def _dry_run(target: str) -> str:
    """The commands `make <target>` would run (-n: none is run; -B: as if nothing were built)."""
    # Without the variables of a `make test` this may run under (its flags, jobserver, level).
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    result = subprocess.run(
        ["make", "-n", "-B", target], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        check=True,
    )
    return result.stdout


def test_make_deploy_never_loads_the_demo_and_asks_for_the_first_administrator():
    commands = [line for line in _dry_run("deploy").splitlines() if "manage.py" in line]
    steps = [line.split("manage.py", 1)[1].split()[0] for line in commands]
    assert steps == [
        "collectstatic", "check", "migrate", "load_reference_data", "create_first_admin", "check",
    ]
    assert all("--deploy" in line for line in commands if " check" in line)
    assert "load_demo_data" not in _dry_run("deploy")


def test_make_setup_collects_static_files():
    commands = [line for line in _dry_run("setup").splitlines() if "manage.py" in line]
    assert "collectstatic" in [line.split("manage.py", 1)[1].split()[0] for line in commands]


@pytest.mark.django_db
def test_first_administrator_comes_from_the_environment_without_a_terminal(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Admin@ARS.example.fr")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("create_first_admin", stdin=io.StringIO(), stdout=io.StringIO())
    admin = User.objects.get()
    assert (admin.email, admin.is_superuser, admin.is_staff) == ("admin@ars.example.fr", True, True)
    assert admin.check_password(PASSWORD)
    out = io.StringIO()
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "autre@ars.example.fr")
    call_command("create_first_admin", stdin=io.StringIO(), stdout=out)  # replayed deployment
    assert "Un administrateur existe déjà (admin@ars.example.fr)" in out.getvalue()
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_first_administrator_is_never_a_demo_account(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "admin@demo.test")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="comptes de démonstration"):
        call_command("create_first_admin", stdin=io.StringIO(), stdout=io.StringIO())
    assert not User.objects.exists()


@pytest.mark.django_db
def test_first_administrator_without_terminal_nor_environment_stops_the_deployment(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_EMAIL", raising=False)
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="Aucun administrateur"):
        call_command("create_first_admin", stdin=io.StringIO(), stdout=io.StringIO())


def test_the_documented_environment_names_every_variable_production_requires():
    # SEGUR_SIGNING_KEYS was missing: following SECURITY.md, `make deploy` stopped at its first step.
    import re

    production = (ROOT / "segur_funding/settings/production.py").read_text()
    required = set(re.findall(r'require\(.*"([A-Z_]+)"\)$', production, flags=re.MULTILINE))
    assert {"DJANGO_SECRET_KEY", "SEGUR_SIGNING_KEYS"} <= required
    security = (ROOT / "SECURITY.md").read_text()
    environment = security.split("### Environment", 1)[1].split("### Sequence", 1)[0]
    documented = set(re.findall(r"`([A-Z_]+)`", environment))
    assert required <= documented, required - documented


def test_each_system_check_has_its_own_id():
    # The signing-key checks and the demo-data checks both said segur.E001 and segur.E002: a
    # report named the wrong problem, and silencing one (SILENCED_SYSTEM_CHECKS) silenced both.
    import re
    from collections import Counter

    ids = Counter(
        found
        for source in (ROOT / "segur_funding").rglob("*.py")
        for found in re.findall(r'id="(segur\.[EW]\d+)"', source.read_text())
    )
    assert ids and not {check for check, uses in ids.items() if uses > 1}
