from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class OrganizationsConfig(AppConfig):
    name = "segur_funding.organizations"
    verbose_name = "Organisations et comptes"


class SegurAdminConfig(admin_apps.AdminConfig):
    """`django.contrib.admin` with the site that asks for the second factor (admin_site.py)."""

    default = False
    default_site = "segur_funding.organizations.admin_site.SegurAdminSite"


# django-otp's names, in French where a reviewer or an administrator reads them (the admin's index,
# titles, breadcrumbs, delete confirmations). The library does not mark them for translation.
# A model's Meta options set here are not the ones its migrations record (`_meta.original_attrs`),
# so no migration of django-otp's apps follows; the fields keep their English verbose names, which
# the admin pages never show (`admin_two_factor.py`).
class TotpConfig(AppConfig):
    name = "django_otp.plugins.otp_totp"
    label = "otp_totp"
    verbose_name = "Double authentification : applications"
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        _rename(
            self.get_model("TOTPDevice"), "application d'authentification", "applications d'authentification"
        )


class BackupCodesConfig(AppConfig):
    name = "django_otp.plugins.otp_static"
    label = "otp_static"
    verbose_name = "Double authentification : codes de secours"
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        _rename(self.get_model("StaticDevice"), "jeu de codes de secours", "jeux de codes de secours")
        _rename(self.get_model("StaticToken"), "code de secours", "codes de secours")


def _rename(model, singular: str, plural: str) -> None:
    model._meta.verbose_name = singular
    model._meta.verbose_name_plural = plural
