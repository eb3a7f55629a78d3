"""Session lifetime: an idle timeout, shorter for staff, and an absolute lifetime.

Django alone keeps a session for SESSION_COOKIE_AGE after its last save, whatever the activity.
Here a signed-in session also ends after SEGUR_SESSION_IDLE without a request (SEGUR_STAFF_SESSION_IDLE
for staff accounts: ANS and ASP reviewers and administrators decide on referencing and money in
the admin) and SEGUR_SESSION_MAX_AGE after the login, however active. The two instants live in
the session itself; the last-seen one is rewritten at most once a minute, so that a page view
does not cost a session write.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from . import clock

LOGIN_AT = "segur_login_at"
SEEN_AT = "segur_seen_at"
SEEN_REFRESH_SECONDS = 60


def idle_timeout(user) -> timedelta:
    return settings.SEGUR_STAFF_SESSION_IDLE if user.is_staff else settings.SEGUR_SESSION_IDLE


def _minutes(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} heure{'s' if hours > 1 else ''}"
    return f"{minutes} minutes"


def session_expiry_reason(*, user, login_at: float, seen_at: float, now: float) -> str | None:
    """Why this signed-in session is over (a French sentence), or None while it is alive."""
    max_age = settings.SEGUR_SESSION_MAX_AGE
    if now - login_at >= max_age.total_seconds():
        return (
            f"Votre session a expiré : une connexion dure au plus {_minutes(max_age)}. "
            "Reconnectez-vous pour continuer."
        )
    idle = idle_timeout(user)
    if now - seen_at >= idle.total_seconds():
        return (
            f"Votre session a expiré après {_minutes(idle)} d'inactivité. Reconnectez-vous pour continuer."
        )
    return None


def session_touch(session, *, now: float) -> None:
    """Record activity, at most once a minute (each write is a session save)."""
    if now - session.get(SEEN_AT, 0) >= SEEN_REFRESH_SECONDS:
        session[SEEN_AT] = now


@receiver(user_logged_in, dispatch_uid="segur_session_stamp_login")
def session_stamp_login(sender, request, user, **kwargs) -> None:
    """Stamp the login instant in the session (Django keeps a session's data across a login of
    the same user, so the stamps are always written here, never inherited)."""
    if request is None or not hasattr(request, "session"):
        return
    now = clock.now().timestamp()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
