from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "segur_funding.funding"
    verbose_name = "Financement"

    def ready(self) -> None:
        from segur_funding.notifications.deadlines import deadline_source_register
        from segur_funding.quotes.funding_panel import funding_summary_register

        from . import deadlines
        from .selectors import quote_funding_summary

        # The 120-day rule, the window steps and the requests « à modifier », on the calendars
        # and in the reminders.
        deadline_source_register(
            "funding", deadlines=deadlines.deadlines_for, reminders=deadlines.reminders_due
        )
        # The advance and balance of a quote, on the quote's editor page and in its API.
        funding_summary_register(quote_funding_summary)
