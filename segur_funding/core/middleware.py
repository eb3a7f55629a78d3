"""Request plumbing: session expiry and the no-store rule for private answers."""

from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.utils.cache import patch_cache_control

from . import clock
from .sessions import LOGIN_AT, SEEN_AT, session_expiry_reason, session_touch

API_PREFIX = "/api/"


class SessionTimeoutMiddleware:
    """Ends a signed-in session past its idle timeout or absolute lifetime (core.sessions).

    The request then goes on as an anonymous one: a page asks to sign in again (with the reason
    shown on the login page), an API call through the session answers 401/403.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session and request.user.is_authenticated:
            now = clock.now().timestamp()
            if LOGIN_AT not in session:
                # A session opened before these stamps existed: its lifetime starts now.
                session[LOGIN_AT] = session[SEEN_AT] = now
            else:
                reason = session_expiry_reason(
                    user=request.user, login_at=session[LOGIN_AT], seen_at=session.get(SEEN_AT, 0), now=now
                )
                if reason:
                    logout(request)
                    if not request.path_info.startswith(API_PREFIX):
                        messages.warning(request, reason)
                else:
                    session_touch(session, now=now)
        return self.get_response(request)


class PrivateCacheControlMiddleware:
    """`Cache-Control: private, no-store` on every answer to a signed-in visitor and every API
    answer: no shared proxy nor browser history keeps a dossier, an amount or a key."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path_info.startswith(API_PREFIX) or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response
