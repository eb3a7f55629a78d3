from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from segur_funding.referential.services import (
    SHIPPED_WORDINGS,
    reference_data_load,
    shipped_wordings_load,
)


class Command(BaseCommand):
    help = (
        "Charge les données de référence publiées (DSR, barèmes, fenêtres, REM de démarrage, "
        "libellés de la Prestation Ségur, formulations d'offre conditionnée)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="*",
            help="Fichiers JSON de référence (par défaut : fixtures/reference/*.json).",
        )

    def handle(self, *args, **options):
        paths = [Path(p) for p in options["paths"]] or sorted(
            (Path(settings.BASE_DIR) / "fixtures" / "reference").glob("*.json")
        )
        for path in paths:
            report = reference_data_load(path=path)
            self.stdout.write(f"Données de référence {path.name} : {report}")
        for model, (name, _) in SHIPPED_WORDINGS.items():
            report = shipped_wordings_load(model=model)
            self.stdout.write(f"{name} : {report}")
