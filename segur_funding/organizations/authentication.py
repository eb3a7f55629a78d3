"""API tokens checked against their stored digest (`Authorization: Token <key>`).

DRF's TokenAuthentication, with the lookup made by SHA-256 digest instead of the key itself: a
leaked database (or an admin page) gives no usable key. A key is 160 random bits, so a fast hash
is enough (a slow password hash protects guessable secrets, which these are not). The token also
expires, and its last use is kept (written at most once a minute, not on every call). Demo
accounts are refused outside demo mode, as by the login forms and sessions.
"""

import hashlib
import secrets
from datetime import timedelta

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from segur_funding.core import clock

from .backends import sign_in_refused
from .models import ApiToken
from .rules import DEMO_ACCOUNT_REFUSED

LAST_USE_PRECISION = timedelta(minutes=1)


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def token_key_new() -> str:
    """A new key: 40 hexadecimal characters (160 bits), the shape DRF's keys always had."""
    return secrets.token_hex(20)


class RefuseDemoAccountsMixin:
    """DRF's authentication only asks `user.is_active`; this asks our rule too."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and sign_in_refused(result[0]):
            raise exceptions.AuthenticationFailed(DEMO_ACCOUNT_REFUSED)
        return result


class HashedTokenAuthentication(RefuseDemoAccountsMixin, TokenAuthentication):
    keyword = "Token"
    model = ApiToken

    def authenticate_credentials(self, key: str):
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Jeton d'API invalide.")
        now = clock.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                "Jeton d'API expiré : créez-en un nouveau sur la page « Jeton d'API » de votre compte."
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("Compte désactivé.")
        if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
