from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "segur_funding.notifications"
    verbose_name = "Notifications"
