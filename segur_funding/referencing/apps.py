from django.apps import AppConfig


class ReferencingConfig(AppConfig):
    name = "segur_funding.referencing"
    verbose_name = "Référencement"
