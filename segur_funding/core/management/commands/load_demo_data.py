from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Charge les données de démonstration (comptes de SPEC §5), de façon idempotente."

    def handle(self, *args, **options):
        if not settings.SEGUR_DEMO_MODE:
            raise CommandError("Les données de démonstration ne sont disponibles qu'en mode démo.")
        from segur_funding.core.demo import demo_data_load

        for line in demo_data_load():
            self.stdout.write(line)
