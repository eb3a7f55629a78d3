from django.apps import AppConfig


class ReferencingConfig(AppConfig):
    name = "segur_funding.referencing"
    verbose_name = "Référencement"

    def ready(self) -> None:
        from segur_funding.notifications.deadlines import deadline_source_register

        from . import deadlines

        # The review clocks and open corrections, on the calendars and in the reminders.
        deadline_source_register(
            "referencing", deadlines=deadlines.deadlines_for, reminders=deadlines.reminders_due
        )
