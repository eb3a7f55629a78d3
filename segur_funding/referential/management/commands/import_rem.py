from pathlib import Path

from django.core.management.base import BaseCommand

from segur_funding.core.errors import InvalidInput
from segur_funding.referential.services import rem_import


class Command(BaseCommand):
    help = (
        "Importe le fichier REM (exigences) d'un DSR, au format CSV ou XLSX : tout ou rien. "
        "Code de sortie 0 si importé, 2 si le fichier est refusé (une ligne d'explication)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Fichier REM (.csv ou .xlsx).")
        parser.add_argument("--dsr", required=True, help="Code du DSR, par exemple SGL-V1.")
        parser.add_argument(
            "--format",
            choices=["csv", "xlsx"],
            help="Format du fichier (par défaut : d'après son extension).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Vérifie le fichier sans rien enregistrer.",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        fmt = options["format"] or path.suffix.lower().lstrip(".")
        try:
            if not path.is_file():
                raise InvalidInput(f"Fichier introuvable : {path}")
            summary = rem_import(
                dsr_code=options["dsr"],
                file=path,
                format=fmt or "?",
                file_name=path.name,
                dry_run=options["dry_run"],
            )
        except InvalidInput as exc:
            # One French line on stderr and status 2, never a traceback (same contract as
            # check_quote): the file or the arguments are wrong, not the program.
            self.stderr.write(" ".join(exc.message.split()))
            raise SystemExit(2) from None
        self.stdout.write(str(summary))
