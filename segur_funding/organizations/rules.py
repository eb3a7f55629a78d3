"""Pure rules of organisations and people. No ORM.

- Who may sign in (issue 16, « Safe to deploy by construction »): demo accounts (SPEC §5) live
  under the reserved `demo.test` domain (RFC 2606: `.test` never resolves); outside demo mode they
  are refused at every door (web and admin login, session, API token), and their presence makes
  `manage.py check --deploy` fail.
- Editors' bank details for the State's payments (issue 14): IBAN and BIC are checked with
  python-stdnum (ISO 13616 check digits, ISO 9362 format); bank-detail fraud is the classic attack
  on such programmes, so every change is re-validated by ASP before a payment uses it (services).
- Second factor (issue 13): whoever reaches the admin (ANS / ASP reviewers, administrators)
  decides dossiers or moves money, so a password alone never opens it: a TOTP code (RFC 6238) or
  a single-use backup code is asked after the password, in every mode (the demo reviewers are
  enrolled with a secret published in the README; demo accounts never sign in outside demo mode).
"""

from base64 import b32encode
from dataclasses import dataclass

from stdnum import bic, iban
from stdnum.exceptions import ValidationError

DEMO_EMAIL_DOMAIN = "demo.test"
# An e-mail address is at most 254 characters (RFC 5321 path limit, Django's EmailField); longer
# identifiers are refused before anything stores or counts them.
EMAIL_MAX_LENGTH = 254


def is_demo_email(email: str) -> bool:
    """Whether an address belongs to the demo world (`…@demo.test`, `…@x.demo.test`)."""
    domain = email.strip().lower().rpartition("@")[2]
    return domain == DEMO_EMAIL_DOMAIN or domain.endswith("." + DEMO_EMAIL_DOMAIN)


def login_identifier_problem(identifier: str, *, demo_mode: bool) -> str | None:
    """The French reason a login identifier is refused before any password is tried, or None."""
    if len(identifier) > EMAIL_MAX_LENGTH:
        return f"L'adresse e-mail ne peut pas dépasser {EMAIL_MAX_LENGTH} caractères."
    if not demo_mode and is_demo_email(identifier):
        return DEMO_ACCOUNT_REFUSED
    return None


DEMO_ACCOUNT_REFUSED = (
    "Les comptes de démonstration (@demo.test) sont désactivés sur ce serveur : "
    "connectez-vous avec votre compte personnel."
)


def second_factor_required(*, is_staff: bool, is_superuser: bool) -> bool:
    """Whether a person must give a TOTP code after the password: everyone the admin lets in."""
    return is_staff or is_superuser


# A TOTP code is 6 digits; a backup code is 8 characters of django-otp's alphabet (letters and
# digits). People copy them with spaces or dashes (« 123 456 »).
OTP_CODE_MAX_LENGTH = 16


def otp_code_normalized(text: str) -> str | None:
    """The code as the devices check it (no spaces or dashes, lower case), or None if it cannot be one."""
    code = "".join(ch for ch in text if ch not in " -\t").lower()
    if not code or len(code) > OTP_CODE_MAX_LENGTH or not code.isascii() or not code.isalnum():
        return None
    return code


def totp_secret_display(key_hex: str) -> str:
    """The secret as an authenticator app asks for it when typed by hand: base32, by groups of 4."""
    secret = b32encode(bytes.fromhex(key_hex)).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))



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
