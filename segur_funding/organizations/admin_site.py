"""The admin site: Django's, opened only to a session that gave its second factor (two_factor.py).

Installed as the default site by `apps.SegurAdminConfig` (in INSTALLED_APPS instead of
`django.contrib.admin`), so every `admin.site.register` of the project lands here.
"""

from django.contrib.admin import AdminSite
from django.http import HttpRequest


class SegurAdminSite(AdminSite):
    # An empty cell, and the « empty » choice of a filter, read as words rather than « - » (which
    # a screen reader says « tiret », or skips).
    _empty_value_display = "non renseigné"

    def has_permission(self, request: HttpRequest) -> bool:
        from .two_factor import second_factor_missing

        return super().has_permission(request) and not second_factor_missing(request)
