from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "segur_funding.funding"
    verbose_name = "Demandes de financement"

    def ready(self) -> None:
        from segur_funding.notifications.deadlines import deadline_source_register

        from .deadlines import SOURCE

        # The 120-day rule, the window steps and the requests « à modifier », on the calendars
        # and in the reminders.
        deadline_source_register(SOURCE)
