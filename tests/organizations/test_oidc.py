"""Single sign-on with ProConnect / Pro Santé Connect, end to end against a local OpenID Connect
provider (tests/organizations/oidc_provider.py): real HTTP between the platform and the provider
for discovery, token, keys and userinfo; the browser's redirects are followed by hand."""

from urllib.parse import urlsplit

import pytest
import requests
from django.contrib.messages import get_messages
from django_otp.plugins.otp_totp.models import TOTPDevice

from segur_funding.organizations.models import User
from segur_funding.organizations.two_factor import totp_next_code

pytestmark = pytest.mark.django_db

EMAIL = "claire.martin@tilleuls.example"


def _sso(client, next_url: str = ""):
    """The whole round trip: our button, the provider's authorize page, back to our callback."""
    response = client.get("/compte/sso/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response
    at_provider = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == "/compte/sso/retour/"
    return client.get(f"{back.path}?{back.query}")


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_no_button_and_no_route_when_single_sign_on_is_not_configured(client):
    page = client.get("/connexion/")
    assert "Se connecter avec" not in page.content.decode()
    assert client.get("/compte/sso/").status_code == 404
    assert client.get("/compte/sso/retour/?code=x&state=y").status_code == 404


def test_an_existing_active_account_signs_in_with_proconnect(client, oidc_provider):
    user = User.objects.create_user(EMAIL, "mot-de-passe-local")
    oidc_provider.person(EMAIL.upper(), given_name="Claire", usual_name="Martin")
    assert "Se connecter avec ProConnect" in client.get("/connexion/").content.decode()

    response = _sso(client, next_url="/compte/organisation/")
    assert response.status_code == 302 and response["Location"] == "/compte/organisation/"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get("/mon-espace/").status_code == 200
    # Discovery, the code exchanged once, the keys and the userinfo: all over HTTP.
    expected = {"/.well-known/openid-configuration", "/token", "/jwks", "/userinfo"}
    assert expected <= set(oidc_provider.requests)


def test_nobody_is_created_from_the_provider_answer(client, oidc_provider):
    oidc_provider.person("inconnu@ailleurs.example")
    response = _sso(client)
    assert response.status_code == 302 and response["Location"] == "/connexion/"
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email__iexact="inconnu@ailleurs.example").exists()
    message = " ".join(_messages(client.get("/connexion/")))
    assert "aucun compte actif de la plateforme n'a cette adresse e-mail" in message


def test_an_inactive_account_is_refused(client, oidc_provider):
    User.objects.create_user(EMAIL, "x", is_active=False)
    oidc_provider.person(EMAIL)
    _sso(client)
    assert "_auth_user_id" not in client.session


def test_an_unverified_address_is_refused(client, oidc_provider):
    User.objects.create_user(EMAIL, "x")
    oidc_provider.person(EMAIL, email_verified=False)
    _sso(client)
    assert "_auth_user_id" not in client.session


def test_an_id_token_meant_for_another_client_is_refused(client, oidc_provider):
    User.objects.create_user(EMAIL, "x")
    oidc_provider.person(EMAIL)
    oidc_provider.audience = "un-autre-service"
    response = _sso(client)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_callback_replayed_with_the_same_state_signs_nobody_in(client, oidc_provider):
    User.objects.create_user(EMAIL, "x")
    oidc_provider.person(EMAIL)
    response = client.get("/compte/sso/")
    at_provider = requests.get(response["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(at_provider.headers["Location"])
    other = type(client)()  # another browser, without the state in its session
    response = other.get(f"{back.path}?{back.query}")
    assert response.status_code == 302 and response["Location"] == "/connexion/"
    assert "_auth_user_id" not in other.session


def test_a_reviewer_signed_in_with_proconnect_still_gives_the_totp_code(client, oidc_provider):
    reviewer = User.objects.create_user("instructeur@asp.example.fr", "x", is_staff=True)
    device = TOTPDevice.objects.create(user=reviewer, name="Téléphone", confirmed=True)
    oidc_provider.person(reviewer.email)
    _sso(client, next_url="/admin/")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/double-authentification/code/")
    client.post("/compte/double-authentification/code/", {"code": totp_next_code(device)})
    assert client.get("/admin/").status_code == 200


def test_password_logins_never_wait_for_the_provider(client, settings):
    settings.SEGUR_OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    settings.SEGUR_OIDC_CLIENT_ID = "x"
    settings.SEGUR_OIDC_CLIENT_SECRET = "y"
    User.objects.create_user(EMAIL, "mot-de-passe-local")
    credentials = {"username": EMAIL, "password": "mot-de-passe-local"}
    response = client.post("/connexion/?code=a&state=b", credentials)
    assert response.status_code == 302 and "_auth_user_id" in client.session
    # The button answers in French when the provider does not.
    client.logout()
    response = client.get("/compte/sso/")
    assert response.status_code == 302 and response["Location"] == "/connexion/"
    assert "ne répond pas pour le moment" in " ".join(_messages(client.get("/connexion/")))
