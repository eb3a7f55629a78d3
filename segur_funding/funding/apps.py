from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "segur_funding.funding"
    verbose_name = "Demandes de financement"
