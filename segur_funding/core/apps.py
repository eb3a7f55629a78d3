from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "segur_funding.core"
    verbose_name = "Socle"
