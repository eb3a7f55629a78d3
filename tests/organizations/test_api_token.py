"""The account page where a user creates, renews and revokes their API token."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from segur_funding.organizations.models import User

URL = "/compte/jeton-api/"


@pytest.fixture
def user(db) -> User:
    return User.objects.create_user("integrateur@test.example", "pw")


def _api_status(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/me/").status_code


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_a_new_token_is_shown_once_and_works(client, user):
    client.force_login(user)
    page = client.get(URL).content.decode()
    assert "Vous n'avez pas de jeton d'API." in page

    response = client.post(URL, {"action": "create"})
    assert response.status_code == 302
    key = Token.objects.get(user=user).key
    shown = client.get(URL).content.decode()
    assert key in shown
    assert "il ne sera plus jamais affiché" in shown
    assert key not in client.get(URL).content.decode()
    assert _api_status(key) == 200


def test_renewing_needs_a_confirmation_and_stops_the_old_token(client, user):
    client.force_login(user)
    client.post(URL, {"action": "create"})
    old = Token.objects.get(user=user).key
    refused = client.post(URL, {"action": "create"})
    assert refused.status_code == 400
    assert "Cochez la case pour confirmer" in refused.content.decode()
    assert Token.objects.get(user=user).key == old

    client.post(URL, {"action": "create", "confirm": "on"})
    new = Token.objects.get(user=user).key
    assert new != old
    assert _api_status(old) == 401 and _api_status(new) == 200


def test_revoking_needs_a_confirmation(client, user):
    client.force_login(user)
    client.post(URL, {"action": "create"})
    key = Token.objects.get(user=user).key
    assert client.post(URL, {"action": "revoke"}).status_code == 400
    assert Token.objects.filter(user=user).exists()
    response = client.post(URL, {"action": "revoke", "confirm": "on"}, follow=True)
    assert "est révoqué : il ne permet plus d" in response.content.decode()
    assert not Token.objects.filter(user=user).exists()
    assert _api_status(key) == 401


def test_one_user_cannot_touch_another_users_token(client, user):
    other = User.objects.create_user("autre@test.example", "pw")
    theirs = Token.objects.create(user=other).key
    client.force_login(user)
    client.post(URL, {"action": "revoke", "confirm": "on"})
    client.post(URL, {"action": "create", "confirm": "on"})
    assert Token.objects.get(user=other).key == theirs
