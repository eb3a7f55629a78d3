"""What a corpus quote says, independent of the tool that prints it.

A `Quote` is declared once (spec.py) and handed to a producer (producers.py), which prints it
the way one kind of editor does. What the checker must answer (verdict, error codes) is
declared with the quote, from SPEC §4, never from what the reader happens to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
STATE = "Montant de la Prestation Ségur pris en charge par l'Etat au titre du Ségur"
MENTION_120 = (
    "Bon de commande conditionné à l'obtention par le logiciel du référencement ANS. "
    "L'affermissement de cette commande est conditionné au dépôt d'un dossier de référencement "
    "complet, contenant l'ensemble des preuves attendues, sous 120 jours sur le site de l'ANS "
    "et à l'obtention subséquente du référencement."
)


def eur(value: Decimal | str | int, *, suffix: str = "€") -> str:
    """An amount as French editors print it: « 32 940,00 € », « -1 200,00 € »."""
    amount = Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return f"{sign}{NBSP.join(groups)},{cents}{NBSP}{suffix}"


@dataclass(frozen=True)
class Row:
    """A quote line. `scope`: segur, state_funding, out_of_scope or None (not marked)."""

    label: str
    ttc: Decimal
    scope: str | None
    qty: int = 1

    @property
    def ht(self) -> Decimal:
        return (self.ttc / Decimal("1.2")).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def printed_ttc(self) -> Decimal:
        # The State's share is deducted: editors print it negative.
        return -self.ttc if self.scope == "state_funding" else self.ttc


@dataclass(frozen=True)
class Quote:
    name: str
    producer: str
    what: str  # what this file tests, in a sentence
    rows: tuple[Row, ...]
    verdict: str
    codes: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    number: str = "D-2022-0042"
    editor: str = "BioLogiciels SAS"
    software: str = "SYSLAB 9"
    client: str = "Laboratoire de Biologie Médicale des Trois Vallées"
    siret: str = "12345678900012"
    sites: int = 12
    quote_date: str = "02/05/2022"
    signature: str = "Bon pour accord le 01/06/2022"
    mentions: tuple[str, ...] = ()
    layout: str = "scope_column"  # or "sections": headings « Prestation Ségur » / « Hors Ségur »
    columns: str = "ttc"  # or "ht_tva_ttc"
    narrow: bool = True  # a narrow label column: labels wrap over several lines
    landscape: bool = False
    post: str = ""  # rc4, aes256, user_password, rotate90, scan
    manual_contains: tuple[str, ...] = ()
    invalid_contains: str = ""
    # The SPEC §4 rule change of issue 11 (engineer "rules") this expected report relies on;
    # empty when today's rules already give it.
    awaits_rules: str = ""
    extra: dict = field(default_factory=dict)

    def with_(self, **changes) -> Quote:
        return replace(self, **changes)

    def totals(self) -> tuple[Decimal, Decimal, Decimal]:
        """(gross TTC of positive lines, State funding, net to pay)."""
        gross = sum((r.ttc for r in self.rows if r.scope != "state_funding"), Decimal(0))
        state = sum((r.ttc for r in self.rows if r.scope == "state_funding"), Decimal(0))
        return gross, state, gross - state

    def header_lines(self) -> list[str]:
        return [f"Devis n° {self.number}", f"Date du devis : {self.quote_date}"]

    def editor_lines(self) -> list[str]:
        return [self.editor, "12 rue des Tanneurs", "69002 Lyon", "contact@biologiciels.example"]

    def client_lines(self) -> list[str]:
        return [
            f"Client : {self.client}",
            f"SIRET {self.siret}",
            f"{self.sites} sites géographiques",
        ]

    def scope_text(self, row: Row) -> str:
        return {"segur": "Ségur", "out_of_scope": "Hors Ségur", "state_funding": "Ségur"}.get(
            row.scope or "", ""
        )

    def context_args(self) -> list[str]:
        """The command's context options: what the lab knows and the PDF does not print. Unless a
        case says otherwise, the software was referenced on 03/01/2022 after a complete proof
        dossier on 01/12/2021 (SPEC §4: without them the 120-day rule cannot be decided)."""
        args = list(self.args)
        if "--referenced-on" not in args:
            args = ["--referenced-on", "2022-01-03", "--proofs-complete-on", "2021-12-01", *args]
        return args

    def expected(self) -> dict:
        entry: dict = {
            "producer": self.producer,
            "tests": self.what,
            "args": self.context_args(),
        }
        if self.invalid_contains:
            entry["invalid"] = True
            entry["message_contains"] = self.invalid_contains
            return entry
        entry["verdict"] = self.verdict
        entry["codes"] = sorted(self.codes)
        entry["manual_checks_contain"] = list(self.manual_contains)
        entry["awaits_rules"] = self.awaits_rules
        return entry
