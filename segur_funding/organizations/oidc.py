"""Optional single sign-on with ProConnect or Pro Santé Connect (OpenID Connect), through
mozilla-django-oidc.

On only when `SEGUR_OIDC_ISSUER`, `SEGUR_OIDC_CLIENT_ID` and `SEGUR_OIDC_CLIENT_SECRET` are set;
the endpoints come from the provider's discovery document (`<issuer>/.well-known/openid-
configuration`), read once per process, when someone first uses the button, so that neither
start-up nor password logins ever wait for the provider.

Who gets in: the person whose e-mail (as the provider vouches for it) is the e-mail of an
**existing, active** account here: an account opened by an approved request or an invitation.
Nobody is ever created from the provider's answer: an organisation member exists only once ANS,
ASP or the organisation's administrator said so. Demo accounts stay refused outside demo mode,
and reviewers still give their TOTP code after (two_factor.py): the provider replaces the
password, not the second factor.

mozilla-django-oidc checks the state, the nonce, PKCE and the ID token's signature against the
provider's keys; it does not check the token's audience and issuer, which `verify_token` adds.
"""

import logging
from functools import lru_cache

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .backends import sign_in_refused

logger = logging.getLogger(__name__)

DISCOVERY_TIMEOUT_SECONDS = 10

# mozilla-django-oidc's setting names, read from the discovery document.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}

UNAVAILABLE = (
    "{provider} ne répond pas pour le moment : réessayez plus tard ou connectez-vous avec votre "
    "mot de passe."
)
NO_ACCOUNT = (
    "Connexion avec {provider} impossible : aucun compte actif de la plateforme n'a cette adresse "
    "e-mail. Demandez l'ouverture d'un compte pour votre organisme, ou demandez à un collègue "
    "administrateur de vous inviter, puis reconnectez-vous."
)


def oidc_enabled() -> bool:
    return all((settings.SEGUR_OIDC_ISSUER, settings.SEGUR_OIDC_CLIENT_ID, settings.SEGUR_OIDC_CLIENT_SECRET))


def provider_name() -> str:
    return settings.SEGUR_OIDC_PROVIDER_NAME


@lru_cache(maxsize=8)
def _discovery(issuer: str) -> dict[str, str]:
    response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=DISCOVERY_TIMEOUT_SECONDS)
    response.raise_for_status()
    document = response.json()
    if document.get("issuer", "").rstrip("/") != issuer:
        announced = document.get("issuer")
        raise ValueError(f"Le document de découverte OIDC annonce un autre émetteur : {announced!r}")
    return document


def oidc_setting(attr: str, *default):
    """mozilla-django-oidc's settings, ours where they come from the environment or discovery."""
    issuer = settings.SEGUR_OIDC_ISSUER.rstrip("/")
    if attr in DISCOVERED:
        return _discovery(issuer)[DISCOVERED[attr]]
    if attr == "OIDC_RP_CLIENT_ID":
        return settings.SEGUR_OIDC_CLIENT_ID
    if attr == "OIDC_RP_CLIENT_SECRET":
        return settings.SEGUR_OIDC_CLIENT_SECRET
    if attr == "OIDC_RP_SCOPES":
        return settings.SEGUR_OIDC_SCOPES
    return import_from_settings(attr, *default)


class OidcBackend(OIDCAuthenticationBackend):
    """Signs in an existing active account by the e-mail the provider vouches for; creates none."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs) -> None:
        # mozilla-django-oidc reads every endpoint here; Django builds each backend on every
        # password login too, which must neither need the settings nor wait for discovery.
        self.UserModel = get_user_model()

    def _configure(self) -> None:
        self.OIDC_OP_TOKEN_ENDPOINT = oidc_setting("OIDC_OP_TOKEN_ENDPOINT")
        self.OIDC_OP_USER_ENDPOINT = oidc_setting("OIDC_OP_USER_ENDPOINT")
        self.OIDC_OP_JWKS_ENDPOINT = oidc_setting("OIDC_OP_JWKS_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = oidc_setting("OIDC_RP_CLIENT_ID")
        self.OIDC_RP_CLIENT_SECRET = oidc_setting("OIDC_RP_CLIENT_SECRET")
        self.OIDC_RP_SIGN_ALGO = oidc_setting("OIDC_RP_SIGN_ALGO", "RS256")
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, **kwargs):
        # Only the callback view calls authenticate() with a nonce; a password login never
        # reaches the provider, whatever its query string holds.
        if request is None or "nonce" not in kwargs or "password" in kwargs or not oidc_enabled():
            return None
        self._configure()
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("Jeton OIDC destiné à un autre client.")
        if str(payload.get("iss", "")).rstrip("/") != settings.SEGUR_OIDC_ISSUER.rstrip("/"):
            raise SuspiciousOperation("Jeton OIDC d'un autre émetteur.")
        return payload

    def verify_claims(self, claims) -> bool:
        return bool(claims.get("email")) and claims.get("email_verified", True) is not False

    def filter_users_by_claims(self, claims):
        users = self.UserModel.objects.filter(email__iexact=claims["email"].strip(), is_active=True)
        return [user for user in users if not sign_in_refused(user)]

    def create_user(self, claims):
        raise SuspiciousOperation("Aucun compte n'est créé depuis le fournisseur d'identité.")

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is None and self.request is not None:
            self.request.segur_oidc_no_account = True
        return user

    def get_user(self, user_id):
        user = self.UserModel.objects.filter(pk=user_id).first()
        if user is None or not user.is_active or sign_in_refused(user):
            return None
        return user


class OidcAuthenticateView(OIDCAuthenticationRequestView):
    """« Se connecter avec ProConnect »: off (404) unless configured."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs) -> None:
        # The endpoints are read in get(), once the view knows single sign-on is on.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ValueError, KeyError):
            logger.exception("OIDC discovery failed")
            messages.error(request, UNAVAILABLE.format(provider=provider_name()))
            return HttpResponseRedirect(reverse("login"))
        self.OIDC_RP_CLIENT_ID = oidc_setting("OIDC_RP_CLIENT_ID")
        return super().get(request)


class OidcCallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(oidc_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            raise Http404
        try:
            return super().get(request)
        except (requests.RequestException, ValueError, KeyError):
            logger.exception("OIDC token exchange failed")
            messages.error(request, UNAVAILABLE.format(provider=provider_name()))
            return HttpResponseRedirect(reverse("login"))

    def login_failure(self) -> HttpResponse:
        if getattr(self.request, "segur_oidc_no_account", False):
            messages.error(self.request, NO_ACCOUNT.format(provider=provider_name()))
        else:
            messages.error(
                self.request,
                f"La connexion avec {provider_name()} n'a pas abouti : réessayez, ou connectez-vous "
                "avec votre mot de passe.",
            )
        return HttpResponseRedirect(reverse("login"))
