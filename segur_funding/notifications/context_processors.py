from collections.abc import Callable
from functools import cache

from django.http import HttpRequest

from .selectors import notification_unread_count


def unread_notifications(request: HttpRequest) -> dict[str, int | Callable[[], int]]:
    """`notifications_unread_count` for the header badge.

    A cached callable, which templates call when they read it: the COUNT runs only on pages that
    show it, once per request, never for an anonymous visitor, and templates get a real int
    (filters such as `pluralize` work on it).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notifications_unread_count": 0}
    return {"notifications_unread_count": cache(lambda: notification_unread_count(user=user))}
