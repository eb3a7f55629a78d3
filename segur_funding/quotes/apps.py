from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "segur_funding.quotes"
    verbose_name = "Devis et vérifications"

    def ready(self) -> None:
        from django.core import checks

        from .signing import signing_keys_check

        checks.register(signing_keys_check, checks.Tags.security)
