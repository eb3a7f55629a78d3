"""Site-wide views that belong to no domain app."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the French DSFR page instead of Django's English one.

    Django has already logged the reason (logger `django.security.csrf`); the visitor only needs
    to know that nothing was saved and how to send the form again.
    """
    return render(request, "403_csrf.html", status=403)
