from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "segur_funding.dashboard"
    verbose_name = "Statistiques"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the deployment checks (no demo data in production)
