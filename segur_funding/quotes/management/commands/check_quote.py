"""`manage.py check_quote FILE`: the SPEC §4 quote check from the command line.

Exit status: 0 conform, 1 non conform or incomplete, 2 invalid input (one French line on
stderr, no traceback); 2 too when the database cannot give the barèmes, the line then saying
whether it is unreachable or lacks a migration.
"""

import re
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from segur_funding.core.database import NOT_MIGRATED, migrations_pending
from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.quotes.checker import quote_check_file
from segur_funding.quotes.constants import Verdict
from segur_funding.quotes.report import report_to_json, report_to_text

EXIT_CONFORM = 0
EXIT_NOT_CONFORM = 1
EXIT_INVALID = 2

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FR_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_NOT_YET = {"none", "null", "aucun", "aucune", "non"}

# argparse speaks English; the few messages a user can trigger, in French.
_ARGPARSE_MESSAGES = (
    (re.compile(r"the following arguments are required: (.+)"), "argument obligatoire absent : {0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "option inconnue : {0}"),
    (
        re.compile(r"argument (\S+): invalid choice: '?([^' ]*)'? \(choose from (.+)\)"),
        "{0} : valeur « {1} » invalide (valeurs possibles : {2})",
    ),
    (re.compile(r"argument (\S+): expected one argument"), "{0} : valeur manquante"),
    (re.compile(r"argument (\S+): (.+)"), "{0} : {1}"),
)


def _french_usage_error(message: str) -> str:
    for pattern, template in _ARGPARSE_MESSAGES:
        match = pattern.fullmatch(message.strip())
        if match:
            return "Ligne de commande invalide : " + template.format(*match.groups()) + "."
    return f"Ligne de commande invalide : {message}."


def _date_option(value: object, option: str, *, allow_none: bool = False) -> str | None:
    """An option date as an ISO string; "none" (not yet) where allowed."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if allow_none and text.lower() in _NOT_YET:
        return "none"
    try:
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text).isoformat()
        match = _FR_DATE.fullmatch(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day).isoformat()
    except ValueError:
        pass
    hint = " ou « aucune »" if allow_none else ""
    raise InvalidInput(f"{option} : date invalide « {text} » (AAAA-MM-JJ ou JJ/MM/AAAA{hint}).")


def _sites_option(value: object) -> int | None:
    if value is None:
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) < 1:
        raise InvalidInput(
            f"--sites : nombre de sites géographiques invalide « {text} » "
            "(nombre entier supérieur ou égal à 1 attendu)."
        )
    return int(text)


def _dsr_option(value: object) -> str | None:
    if value is None:
        return None
    code = str(value).strip().upper()
    if not code:
        raise InvalidInput("--dsr : code DSR vide (par exemple SGL-V1).")
    return code


class Command(BaseCommand):
    help = (
        "Vérifie un devis (document JSON ou PDF) au regard des règles du financement SONS. "
        "Code de sortie : 0 conforme, 1 non conforme ou incomplet, 2 entrée invalide."
    )
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)

        def error(message: str):
            self.stderr.write(_french_usage_error(message))
            raise SystemExit(EXIT_INVALID)

        parser.error = error
        return parser

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="Devis : document JSON ou PDF.")
        parser.add_argument(
            "--format", choices=["json", "text"], default="json", help="Format du rapport."
        )
        parser.add_argument("--dsr", help="Code du DSR (par exemple SGL-V1).")
        parser.add_argument(
            "--sites", help="Nombre de sites géographiques utilisateurs de l'instance logicielle."
        )
        parser.add_argument(
            "--referenced-on",
            help="Date de référencement du logiciel (AAAA-MM-JJ), « aucune » s'il ne l'est pas.",
        )
        parser.add_argument(
            "--proofs-complete-on",
            help="Date d'envoi du dossier complet de preuves (AAAA-MM-JJ), « aucune » sinon.",
        )
        parser.add_argument("--order-date", help="Date de la commande (AAAA-MM-JJ).")
        parser.add_argument("--signature-date", help="Date de signature du devis (AAAA-MM-JJ).")
        parser.add_argument(
            "--today", help="Date de la vérification (AAAA-MM-JJ ; par défaut aujourd'hui)."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            overrides = {
                "dsr": _dsr_option(options.get("dsr")),
                "geographic_sites": _sites_option(options.get("sites")),
                "referenced_on": _date_option(
                    options.get("referenced_on"), "--referenced-on", allow_none=True
                ),
                "proofs_complete_on": _date_option(
                    options.get("proofs_complete_on"), "--proofs-complete-on", allow_none=True
                ),
                "order_date": _date_option(options.get("order_date"), "--order-date"),
                "signature_date": _date_option(options.get("signature_date"), "--signature-date"),
            }
            today = _date_option(options.get("today"), "--today")
            report = quote_check_file(
                path,
                overrides=overrides,
                today=date.fromisoformat(today) if today else None,
            )
        except DomainError as exc:
            self._fail(exc.message)
        except DatabaseError as exc:
            self._fail(
                NOT_MIGRATED
                if migrations_pending(exc)
                else "Base de données des barèmes indisponible : lancez « make setup » puis réessayez."
            )
        if options["format"] == "text":
            self.stdout.write(report_to_text(report, source=path.name), ending="")
        else:
            self.stdout.write(report_to_json(report))
        self.stdout.flush()
        if report.verdict != Verdict.CONFORM:
            raise SystemExit(EXIT_NOT_CONFORM)

    def _fail(self, message: str) -> NoReturn:
        self.stderr.write(" ".join(message.split()))
        sys.stderr.flush()
        raise SystemExit(EXIT_INVALID)
