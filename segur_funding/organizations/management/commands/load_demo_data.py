import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings


class Command(BaseCommand):
    help = "Charge les données de démonstration (comptes de SPEC §5), de façon idempotente."

    def handle(self, *args, **options):
        if not settings.SEGUR_DEMO_MODE:
            raise CommandError("Les données de démonstration ne sont disponibles qu'en mode démo.")
        from segur_funding.organizations.demo import demo_data_load

        # The demo goes through the real services, which notify people: the in-app entries are
        # kept, the e-mails stay in memory instead of flooding the console of `make setup`.
        quiet = ("celery", "weasyprint", "fontTools")
        levels = {name: logging.getLogger(name).level for name in quiet}
        for name in quiet:
            logging.getLogger(name).setLevel(logging.WARNING)
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                for line in demo_data_load():
                    self.stdout.write(line)
        finally:
            for name, level in levels.items():
                logging.getLogger(name).setLevel(level)
