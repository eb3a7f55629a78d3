"""A URLconf for tests only: the site's own URLs plus views that fail on purpose, so that the
error pages can be shown with DEBUG off (the test settings) in view and browser tests.

Use it with `settings.ROOT_URLCONF = "tests.error_urls"` (or `@pytest.mark.urls`)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from segur_funding.urls import urlpatterns as site_urlpatterns


class DeliberateFailure(RuntimeError):
    """Raised by the test view below; never by the application."""


def raise_server_error(request):
    raise DeliberateFailure("erreur provoquée par un test")


def raise_permission_denied(request):
    raise PermissionDenied


def raise_bad_request(request):
    raise SuspiciousOperation("requête provoquée par un test")


urlpatterns = [
    path("test-erreur/500/", raise_server_error),
    path("test-erreur/403/", raise_permission_denied),
    path("test-erreur/400/", raise_bad_request),
    *site_urlpatterns,
]
