from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class OrganizationsConfig(AppConfig):
    name = "segur_funding.organizations"
    verbose_name = "Organisations et comptes"


class SegurAdminConfig(admin_apps.AdminConfig):
    """`django.contrib.admin` with the site that asks for the second factor (admin_site.py)."""

    default = False
    default_site = "segur_funding.organizations.admin_site.SegurAdminSite"
