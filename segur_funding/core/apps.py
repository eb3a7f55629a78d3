from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "segur_funding.core"
    verbose_name = "Socle"

    def ready(self) -> None:
        from . import sessions  # noqa: F401 - registers the login stamp
