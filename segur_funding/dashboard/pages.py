"""The pages a French public service links from its footer (accessibility statement, legal
notice, personal data, cookies, site map). Their text lives in the templates; the views only
pass what must match the running configuration (the cookie names and lifetimes)."""

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from segur_funding.core.durations import duration_fr
from segur_funding.organizations.security import lockout_minutes


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/accessibility.html")


@require_GET
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/legal_notice.html")


@require_GET
def personal_data(request: HttpRequest) -> HttpResponse:
    """The login-protection figures come from the django-axes settings they describe."""
    return render(
        request,
        "pages/personal_data.html",
        {"lockout_failures": settings.AXES_FAILURE_LIMIT, "lockout_minutes": lockout_minutes()},
    )


@require_GET
def cookies(request: HttpRequest) -> HttpResponse:
    """The cookies actually set, read from the settings so that the page follows a renamed
    cookie (production's __Host- prefix) or a changed session length."""
    return render(
        request,
        "pages/cookies.html",
        {
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "session_at_browser_close": settings.SESSION_EXPIRE_AT_BROWSER_CLOSE,
            "session_duration": duration_fr(settings.SESSION_COOKIE_AGE),
            "csrf_cookie": settings.CSRF_COOKIE_NAME,
            "csrf_duration": duration_fr(settings.CSRF_COOKIE_AGE) if settings.CSRF_COOKIE_AGE else None,
            "csrf_in_session": settings.CSRF_USE_SESSIONS,
            "messages_cookie": CookieStorage.cookie_name,
        },
    )


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/sitemap.html")
