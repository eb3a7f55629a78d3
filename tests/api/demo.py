"""The demo data (SPEC §5) as a test fixture: loaded once, rolled back at the end.

Shared by tests/api and tests/dashboard (each package loads it once).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction
from django.test import override_settings

from segur_funding.core.pdf import one_page_pdf

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class DemoWorld:
    users: dict  # "editeur", "editeur2", "labo", "labo2", "ans", "asp", "admin" -> User
    tokens: dict  # same keys -> API token key
    orgs: dict  # "editor", "editor2", "lab", "lab2" -> Organization
    media_root: Path

    def quote(self, number: str):
        from segur_funding.quotes.models import Quote

        return Quote.objects.get(number=number)

    def dossier(self, solution: str):
        from segur_funding.referencing.models import Dossier

        return Dossier.objects.get(solution_version__solution__name=solution)


def demo_world_load(django_db_blocker, tmp_path_factory) -> Iterator[DemoWorld]:
    from segur_funding.organizations.demo import demo_accounts_load, demo_data_load
    from segur_funding.organizations.services import api_token_create
    from segur_funding.referential.services import reference_data_load

    media_root = tmp_path_factory.mktemp("private")
    with django_db_blocker.unblock(), override_settings(PRIVATE_MEDIA_ROOT=media_root):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            for path in sorted((ROOT / "fixtures" / "reference").glob("*.json")):
                reference_data_load(path=path)
            for _ in demo_data_load():
                pass
            accounts = demo_accounts_load()
            tokens = {name: api_token_create(user=user) for name, user in accounts.users.items()}
            yield DemoWorld(
                users=accounts.users,
                tokens=tokens,
                orgs={
                    "editor": accounts.editor,
                    "editor2": accounts.editor2,
                    "lab": accounts.lab,
                    "lab2": accounts.lab2,
                },
                media_root=media_root,
            )
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def api_client(token: str | None):
    from rest_framework.test import APIClient

    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def pdf_bytes(text: str = "Piece justificative") -> bytes:
    """A small valid one-page PDF."""
    return one_page_pdf(text)


def upload(name: str = "preuve.pdf", content: bytes | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, "application/pdf")


# --- Fixtures: imported by the conftest of each package that runs against the demo ------------
# (tests/api, tests/dashboard). Registered there, `scope="package"` loads the demo once per
# package; each test runs in a savepoint inside it (pytest-django's `db`), so the tests see the
# demo exactly as loaded and never each other's writes. Callbacks "on commit" (PDF rendering)
# do not run during the load: the demo's PDFs are not needed here.


@pytest.fixture(scope="package")
def demo_world(django_db_setup, django_db_blocker, tmp_path_factory) -> DemoWorld:
    yield from demo_world_load(django_db_blocker, tmp_path_factory)


@pytest.fixture
def demo(demo_world, db, settings, tmp_path) -> DemoWorld:
    """The demo data, with uploads of this test in a temp folder and fresh throttles."""
    from django.core.cache import cache

    settings.PRIVATE_MEDIA_ROOT = demo_world.media_root
    cache.clear()
    return demo_world


@pytest.fixture
def client_for(demo):
    """`client_for("editeur")`: an API client authenticated by that demo user's token."""

    def make(name: str | None):
        return api_client(demo.tokens[name] if name else None)

    return make
