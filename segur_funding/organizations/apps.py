from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "segur_funding.organizations"
    verbose_name = "Organisations et comptes"
