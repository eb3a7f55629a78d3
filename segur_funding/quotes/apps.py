from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "segur_funding.quotes"
    verbose_name = "Devis"
