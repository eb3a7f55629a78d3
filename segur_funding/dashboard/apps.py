from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "segur_funding.dashboard"
    verbose_name = "Statistiques"
