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

    # The app list (the side bar of every admin page) asks each registered model's admin for
    # its permissions and reverses two URLs per model: about a tenth of a list page's CPU
    # (bench/NOTES.md, « Admin CPU »). Every admin of the project answers from the user's
    # permissions alone, so the list is kept per set of permissions (and language, URL prefix).
    APP_LIST_CACHE_SIZE = 256

    def has_permission(self, request: HttpRequest) -> bool:
        from .two_factor import second_factor_missing

        return super().has_permission(request) and not second_factor_missing(request)

    def get_app_list(self, request: HttpRequest, app_label=None) -> list[dict]:
        from django.urls import get_script_prefix
        from django.utils.translation import get_language

        user = request.user
        # A superuser has every permission (and reading them all would cost a query).
        perms = "superuser" if user.is_superuser else frozenset(user.get_all_permissions())
        key = (app_label, user.pk, user.is_active, user.is_staff, perms, get_language(), get_script_prefix())
        cache = self.__dict__.setdefault("_app_lists", {})
        app_list = cache.get(key)
        if app_list is None:
            app_list = super().get_app_list(request, app_label)
            if len(cache) >= self.APP_LIST_CACHE_SIZE:
                cache.clear()
            cache[key] = app_list
        # Callers may sort or change what they get: a copy of each app and of its models.
        return [{**app, "models": [dict(model) for model in app["models"]]} for app in app_list]
