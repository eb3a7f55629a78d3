"""Bank details an editor gives for the State's payments (ASP pays the advance and the balance
into them). Pure: checks and display only, no ORM.

IBAN and BIC are checked with python-stdnum (ISO 13616 check digits, ISO 9362 format); the
issue that asked for them (bank-detail fraud is the classic attack on such programmes) wants
every change re-validated by ASP before a payment uses it, which the services enforce.
"""

from dataclasses import dataclass

from stdnum import bic, iban
from stdnum.exceptions import ValidationError


@dataclass(frozen=True, slots=True)
class BankDetails:
    iban: str  # compact, upper case: FR7630006000011234567890189
    bic: str  # compact, upper case, 8 or 11 characters


def bank_details_check(*, iban_text: str, bic_text: str) -> tuple[BankDetails | None, dict[str, str]]:
    """The compact IBAN and BIC, or French errors per field ("iban", "bic")."""
    errors: dict[str, str] = {}
    compact_iban = iban.compact(iban_text or "")
    compact_bic = bic.compact(bic_text or "")
    try:
        iban.validate(compact_iban)
    except ValidationError:
        errors["iban"] = (
            "IBAN invalide : la clé de contrôle ou la longueur ne correspond pas (27 caractères "
            "pour un compte français, commençant par FR). Recopiez-le depuis votre RIB."
        )
    try:
        bic.validate(compact_bic)
    except ValidationError:
        errors["bic"] = "BIC invalide : 8 ou 11 caractères (lettres et chiffres), par exemple BNPAFRPPXXX."
    if not errors and compact_bic[4:6] != compact_iban[:2]:
        errors["bic"] = (
            f"Le BIC désigne une banque d'un autre pays ({compact_bic[4:6]}) que l'IBAN ({compact_iban[:2]})."
        )
    if errors:
        return None, errors
    return BankDetails(iban=compact_iban, bic=compact_bic), {}


def iban_masked(value: str) -> str:
    """« FR76 •••• •••• •••• •••• •••• 189 »: enough to recognise one's account, not to copy it."""
    if len(value) < 8:
        return "•" * len(value)
    hidden = "•" * (len(value) - 7)
    shown = value[:4] + hidden + value[-3:]
    return " ".join(shown[i : i + 4] for i in range(0, len(shown), 4))


def iban_display(value: str) -> str:
    return iban.format(value)
