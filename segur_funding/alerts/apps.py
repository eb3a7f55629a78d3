from django.apps import AppConfig


class AlertsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "segur_funding.alerts"
    verbose_name = "Signalements"
