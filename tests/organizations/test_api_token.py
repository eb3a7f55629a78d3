"""The account page where a user creates, renews and revokes their API token, stored hashed."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from segur_funding.core import clock
from segur_funding.organizations.authentication import token_digest
from segur_funding.organizations.models import ApiToken, User
from segur_funding.organizations.services import api_token_create

URL = "/compte/jeton-api/"


@pytest.fixture
def user(db) -> User:
    return User.objects.create_user("integrateur@test.example", "pw")


def _api_status(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/me/").status_code


def _shown_key(client) -> str:
    """The key on the page right after its creation (the only time it is shown)."""
    page = client.get(URL)
    return page.context["new_key"]


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_a_new_token_is_shown_once_and_works(client, user):
    client.force_login(user)
    page = client.get(URL).content.decode()
    assert "Vous n'avez pas de jeton d'API." in page

    response = client.post(URL, {"action": "create"})
    assert response.status_code == 302
    shown = client.get(URL)
    key = shown.context["new_key"]
    assert len(key) == 40 and key in shown.content.decode()
    assert "il ne sera plus jamais affiché" in shown.content.decode()
    again = client.get(URL).content.decode()
    assert key not in again and f"commençant par <code>{key[:8]}</code>" in again
    assert _api_status(key) == 200


def test_only_a_digest_of_the_key_is_stored(user):
    with CaptureQueriesContext(connection) as queries:
        key = api_token_create(user=user)
    token = ApiToken.objects.get(user=user)
    assert token.digest == token_digest(key) != key
    assert all(key not in str(q["sql"]) for q in queries.captured_queries)
    assert not any(key in str(value) for value in ApiToken.objects.values().get().values())


def test_expiry_and_last_use_are_kept_and_shown(client, user):
    key = api_token_create(user=user)
    token = ApiToken.objects.get(user=user)
    assert token.expires_at - token.created_at == timedelta(days=365)
    assert token.last_used_at is None
    assert _api_status(key) == 200
    assert ApiToken.objects.get(user=user).last_used_at is not None
    client.force_login(user)
    page = client.get(URL).content.decode()
    assert "Dernière utilisation : le" in page and "Il expire le" in page


def test_an_expired_token_is_refused_in_french(user):
    key = api_token_create(user=user)
    ApiToken.objects.filter(user=user).update(expires_at=clock.now() - timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "AUTHENTICATION_FAILED"


def test_renewing_needs_a_confirmation_and_stops_the_old_token(client, user):
    client.force_login(user)
    client.post(URL, {"action": "create"})
    old = _shown_key(client)
    refused = client.post(URL, {"action": "create"})
    assert refused.status_code == 400
    assert "Cochez la case pour confirmer" in refused.content.decode()
    assert ApiToken.objects.get(user=user).digest == token_digest(old)

    client.post(URL, {"action": "create", "confirm": "on"})
    new = _shown_key(client)
    assert new != old
    assert _api_status(old) == 401 and _api_status(new) == 200


def test_revoking_needs_a_confirmation(client, user):
    client.force_login(user)
    client.post(URL, {"action": "create"})
    key = _shown_key(client)
    assert client.post(URL, {"action": "revoke"}).status_code == 400
    assert ApiToken.objects.filter(user=user).exists()
    response = client.post(URL, {"action": "revoke", "confirm": "on"}, follow=True)
    assert "est révoqué : il ne permet plus d" in response.content.decode()
    assert not ApiToken.objects.filter(user=user).exists()
    assert _api_status(key) == 401


def test_one_user_cannot_touch_another_users_token(client, user):
    other = User.objects.create_user("autre@test.example", "pw")
    theirs = api_token_create(user=other)
    client.force_login(user)
    client.post(URL, {"action": "revoke", "confirm": "on"})
    client.post(URL, {"action": "create", "confirm": "on"})
    assert ApiToken.objects.get(user=other).digest == token_digest(theirs)
    assert _api_status(theirs) == 200


def test_the_admin_lists_tokens_without_their_value(client, user):
    key = api_token_create(user=user)
    admin = User.objects.create_superuser("admin@test.example", "pw")
    client.force_login(admin)
    page = client.get("/admin/organizations/apitoken/").content.decode()
    assert "integrateur@test.example" in page and key[:8] in page
    assert key not in page and token_digest(key) not in page
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_existing_clear_tokens_are_hashed_by_the_migration_and_keep_working():
    from django.db.migrations.executor import MigrationExecutor

    before = [("organizations", "0002_api_token_hashed")]
    after = [("organizations", "0003_api_tokens_from_drf_tokens")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state([*before, ("authtoken", "0004_alter_tokenproxy_options")]).apps
    old_user = old_apps.get_model("organizations", "User").objects.create(email="ancien@test.example")
    key = "0123456789abcdef0123456789abcdef01234567"
    old_apps.get_model("authtoken", "Token").objects.create(key=key, user_id=old_user.pk)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    new_apps = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    assert not new_apps.get_model("authtoken", "Token").objects.exists()
    token = ApiToken.objects.get(user_id=old_user.pk)
    assert token.digest == token_digest(key) and token.prefix == "01234567"
    assert token.expires_at > clock.now() + timedelta(days=364)
    assert _api_status(key) == 200
