"""API authentication: the same refusal of demo accounts as the login forms and sessions.

DRF's token authentication only asks `user.is_active`; the mixin asks our rule too, for any
authentication class it is put in front of (a hashed-key class later keeps the guard by
inheriting it).
"""

from rest_framework import authentication, exceptions

from .backends import sign_in_refused
from .rules import DEMO_ACCOUNT_REFUSED


class RefuseDemoAccountsMixin:
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and sign_in_refused(result[0]):
            raise exceptions.AuthenticationFailed(DEMO_ACCOUNT_REFUSED)
        return result


class TokenAuthentication(RefuseDemoAccountsMixin, authentication.TokenAuthentication):
    """`Authorization: Token <clé>`, demo accounts refused outside demo mode."""
