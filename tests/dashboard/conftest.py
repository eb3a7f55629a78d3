"""The dashboard tests run against the demo data (SPEC §5), loaded once per package.

The demo is loaded inside a transaction that is rolled back when the package is done; each test
runs in a savepoint inside it (pytest-django's `db`), so the tests see the demo exactly as
loaded and never each other's writes. Callbacks "on commit" (PDF rendering) do not run during
the load: the demo's PDFs are not needed here.
"""

import pytest

from tests.api.demo import DemoWorld, api_client, demo_world_load


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
