from django.apps import AppConfig


class ReferentialConfig(AppConfig):
    name = "segur_funding.referential"
    verbose_name = "Référentiel (DSR, exigences, barèmes)"
