"""Authentication backend: Django's ModelBackend, minus the demo accounts outside demo mode.

`user_can_authenticate` is consulted both when a password is checked (web and admin login) and
when a session is turned back into a user on every request (`get_user`): a demo account is
refused at login and an existing demo session resolves to an anonymous visitor, whatever the
session store holds.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from .rules import is_demo_email


def sign_in_refused(user) -> bool:
    """Whether this account may not sign in here (a demo account outside demo mode)."""
    return not settings.SEGUR_DEMO_MODE and is_demo_email(user.email or "")


class AccountBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not sign_in_refused(user)
