"""The quote document of SPEC §4 as frozen values, and its validation from JSON-shaped data.

Every refusal is an InvalidInput with one French sentence that names the field, e.g.
« lines[2].amount_ttc (ligne 3 du devis) : montant négatif : « -5 » ». `lines[i]` is the JSON
index (from 0); the report's `line` numbers are 1-based, hence the "ligne N" in parentheses.

Numbers: `quote_json_loads` decodes JSON numbers as Decimal (never float, never an int past
Python's 4,300-digit conversion limit), and every malformed or out-of-range number becomes an
InvalidInput naming the field, with the value shown shortened.

Pure: no ORM, no settings, no I/O.
"""

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from segur_funding.core.errors import InvalidInput
from segur_funding.core.money import parse_amount
from segur_funding.core.text import COMBINING

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The largest number of sites a quote may state: far above any lab (tier E starts at 64), far
# below anything that could strain a comparison or a message.
MAX_SITES = 1_000_000
_MAX_AMOUNT = Decimal("1e12")
_SHOWN_CHARACTERS = 24


@dataclass(frozen=True, slots=True)
class ClientInfo:
    name: str = ""
    siret: str = ""
    geographic_sites: int | None = None


@dataclass(frozen=True, slots=True)
class ReferencingInfo:
    """Referencing dates of the software; a date None means "not yet" when the field is known.

    `*_known` is False when the document does not say at all (key absent), which is different
    from an explicit null ("not referenced yet", "proofs not complete yet").
    """

    referenced_on: date | None = None
    proofs_complete_on: date | None = None
    referenced_on_known: bool = False
    proofs_complete_on_known: bool = False


@dataclass(frozen=True, slots=True)
class SoftwareInfo:
    """The software the quote is for, as printed (all optional): used to look its referencing
    up in the platform's referenced solutions when the quote does not state it."""

    name: str = ""
    version: str = ""
    editor: str = ""


@dataclass(frozen=True, slots=True)
class QuoteLine:
    label: str
    scope: str | None  # "segur", "state_funding", "out_of_scope", another string, or None
    dsr: tuple[str, ...] = ()
    amount_ttc: Decimal | None = None
    amount_ht: Decimal | None = None


@dataclass(frozen=True, slots=True)
class QuoteDocument:
    number: str | None
    dsr: str | None
    client: ClientInfo
    referencing: ReferencingInfo
    lines: tuple[QuoteLine, ...]
    order_date: date | None = None
    signature_date: date | None = None
    mentions: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    software: SoftwareInfo = SoftwareInfo()


# --- JSON and numbers ---------------------------------------------------------------------------


def shown(value: object) -> str:
    """A value as a user would recognise it in a message, at most a few dozen characters.

    Python refuses to write an int of more than 4,300 digits in decimal: its size is told
    instead (`str` would raise ValueError)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 14_000:
        return f"nombre d'environ {int(value.bit_length() * 0.30103):,} chiffres".replace(",", "\u202f")
    text = value if isinstance(value, str) else str(value)
    text = " ".join(text.split())
    if len(text) > _SHOWN_CHARACTERS:
        return f"{text[:_SHOWN_CHARACTERS - 1]}… ({len(text):,} caractères)".replace(",", "\u202f")
    return text


def _json_int(text: str) -> int | Decimal:
    # Past 18 digits the value is out of range for every field anyway; Decimal reads any length
    # (int() refuses 4,300 digits and more), and the field's check says which value is wrong.
    return int(text) if len(text) <= 18 else Decimal(text)


def _json_constant(name: str) -> None:
    raise InvalidInput(f"Fichier JSON illisible : valeur « {name} » interdite (nombre attendu).")


_JSON_ERRORS = {
    "Expecting value": "valeur attendue",
    "Expecting property name enclosed in double quotes": "nom de champ entre guillemets attendu",
    "Expecting ',' delimiter": "virgule attendue",
    "Expecting ':' delimiter": "deux-points attendu",
    "Unterminated string starting at": "texte non terminé",
    "Extra data": "données en trop après la fin du document",
    "Invalid control character at": "caractère de contrôle interdit",
    "Invalid \\escape": "séquence d'échappement invalide",
}


def quote_json_loads(text: str) -> object:
    """Decode a quote document's JSON text; InvalidInput (French, one line) when it cannot be.

    Numbers come out as Decimal (or small ints), so « 12000.10 » is exactly 12000.10, a huge
    integer is a value out of range rather than a crash, and NaN / Infinity are refused.
    """
    try:
        return json.loads(
            text, parse_float=Decimal, parse_int=_json_int, parse_constant=_json_constant
        )
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"Fichier JSON illisible : {_JSON_ERRORS.get(exc.msg, exc.msg)} ligne {exc.lineno}, "
            f"colonne {exc.colno}."
        ) from None
    except RecursionError:
        raise InvalidInput("Fichier JSON illisible : imbrication trop profonde.") from None
    except (ValueError, InvalidOperation):
        raise InvalidInput("Fichier JSON illisible : nombre invalide.") from None


# --- Fields -------------------------------------------------------------------------------------


def _line_field(index: int, name: str) -> str:
    return f"lines[{index}].{name} (ligne {index + 1} du devis)"


def _no_control_characters(text: str, field: str) -> None:
    # A NUL byte cannot be stored nor looked up in PostgreSQL; no printed quote contains one.
    if "\x00" in text:
        raise InvalidInput(f"{field} : caractère nul (\\u0000) interdit.")


def _text(value: object, field: str, *, required: bool) -> str | None:
    if value is None:
        if required:
            raise InvalidInput(f"{field} : valeur obligatoire absente.")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidInput(f"{field} : un texte est attendu.")
    if isinstance(value, int) and abs(value) >= 10**30:
        raise InvalidInput(f"{field} : valeur trop longue ({shown(value)}).")
    text = str(value).strip()
    _no_control_characters(text, field)
    if not text and required:
        raise InvalidInput(f"{field} : valeur obligatoire vide.")
    return text or None


def _date(value: object, field: str) -> date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        raise InvalidInput(
            f"{field} : date invalide « {shown(value)} » (format attendu AAAA-MM-JJ)."
        )
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{field} : date inexistante « {shown(value)} ».") from None


def _amount(value: object, field: str, *, required: bool) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"{field} : montant obligatoire absent.")
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"{field} : montant invalide « {shown(value)} ».")
    if isinstance(value, int | Decimal | float):
        # Checked here, before any conversion to text: an int past 4,300 digits cannot be
        # written in decimal, and a long number would fill the message.
        number = value if isinstance(value, int) else Decimal(value)
        if isinstance(number, Decimal) and not number.is_finite():
            raise InvalidInput(f"{field} : montant illisible « {shown(value)} ».")
        if number < 0:
            raise InvalidInput(f"{field} : montant négatif « {shown(value)} ».")
        if number >= _MAX_AMOUNT:
            raise InvalidInput(f"{field} : montant hors limites « {shown(value)} ».")
    elif isinstance(value, str) and len(value.strip()) > 40:
        raise InvalidInput(f"{field} : montant illisible « {shown(value)} ».")
    try:
        return parse_amount(value)
    except (ValueError, InvalidOperation) as exc:
        raise InvalidInput(f"{field} : {exc}.") from None


def _sites(value: object, field: str, *, required: bool) -> int | None:
    if value is None:
        if required:
            raise InvalidInput(
                f"{field} : le nombre de sites géographiques utilisateurs de l'instance "
                "logicielle est obligatoire."
            )
        return None
    # JSON numbers only: 12.0, "12" or true are refused rather than guessed. A JSON integer of
    # more than 18 digits arrives as an integral Decimal: out of range, not "not an integer".
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        if value >= 1:
            raise InvalidInput(
                f"{field} : nombre de sites géographiques hors limites (reçu : {shown(value)} ; "
                f"{MAX_SITES:,} au plus).".replace(",", "\u202f")
            )
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        display = f"« {shown(value)} »" if isinstance(value, str) else shown(value)
        raise InvalidInput(
            f"{field} : le nombre de sites géographiques doit être un nombre entier supérieur "
            f"ou égal à 1 (reçu : {display})."
        )
    if value < 1:
        raise InvalidInput(
            f"{field} : le nombre de sites géographiques doit être au moins 1 (reçu : "
            f"{shown(value)})."
        )
    if value > MAX_SITES:
        raise InvalidInput(
            f"{field} : nombre de sites géographiques hors limites (reçu : {shown(value)} ; "
            f"{MAX_SITES:,} au plus).".replace(",", "\u202f")
        )
    return value


def _strings(
    value: object, field: str, *, single_ok: bool = False, note: str = ""
) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        if single_ok:
            return (value,) if value.strip() else ()
        raise InvalidInput(f"{field}{note} : une liste de textes est attendue.")
    if not isinstance(value, list | tuple):
        raise InvalidInput(f"{field}{note} : une liste de textes est attendue.")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise InvalidInput(f"{field}[{i}]{note} : un texte est attendu.")
        _no_control_characters(item, f"{field}[{i}]{note}")
        if item.strip():
            out.append(item)
    return tuple(out)


def _object(value: object, field: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInput(f"{field} : un objet est attendu.")
    return value


def _dsr_code(value: object, field: str, *, required: bool) -> str | None:
    code = _text(value, field, required=required)
    return code.upper() if code else None


_SCOPES = frozenset({"segur", "state_funding", "out_of_scope"})


def _scope(value: str) -> str | None:
    """`segur`, `state_funding`, `out_of_scope` whatever their case and accents (« Ségur »,
    « SEGUR »); any other text is kept as written, for the UNCLASSIFIED_LINE message."""
    text = value.strip()
    if not text:
        return None
    folded = text.lower()
    if not folded.isascii():
        folded = COMBINING.sub("", unicodedata.normalize("NFKD", folded))
    return folded if folded in _SCOPES else text


def _software(data: dict) -> SoftwareInfo:
    software = _object(data.get("software"), "software")
    return SoftwareInfo(
        name=_text(software.get("name"), "software.name", required=False) or "",
        version=_text(software.get("version"), "software.version", required=False) or "",
        editor=_text(software.get("editor"), "software.editor", required=False) or "",
    )


def _line(raw: object, index: int, *, partial: bool) -> QuoteLine:
    if not isinstance(raw, dict):
        raise InvalidInput(f"lines[{index}] (ligne {index + 1} du devis) : un objet est attendu.")
    label = _text(raw.get("label"), _line_field(index, "label"), required=False) or ""
    scope = raw.get("scope")
    if scope is not None and not isinstance(scope, str):
        raise InvalidInput(f"{_line_field(index, 'scope')} : un texte est attendu.")
    scope = _scope(scope) if scope is not None else None
    dsr = tuple(
        code.strip().upper()
        for code in _strings(
            raw.get("dsr"), f"lines[{index}].dsr", single_ok=True, note=f" (ligne {index + 1} du devis)"
        )
    )
    return QuoteLine(
        label=label,
        scope=scope,
        dsr=dsr,
        amount_ttc=_amount(
            raw.get("amount_ttc"), _line_field(index, "amount_ttc"), required=not partial
        ),
        amount_ht=_amount(raw.get("amount_ht"), _line_field(index, "amount_ht"), required=False),
    )


def parse_quote_document(data: object, *, partial: bool = False) -> QuoteDocument:
    """Validate a quote document (SPEC §4) and return it as frozen values.

    `partial=True` is for what a PDF reading found: the quote number, the DSR, the number of
    sites and the amounts may then be missing (None) and the checker says what to check by hand.
    Values that are present must be valid in both modes.
    """
    if not isinstance(data, dict):
        raise InvalidInput("Le devis doit être un objet JSON (entre accolades).")
    client = _object(data.get("client"), "client")
    raw_referencing = data.get("referencing")
    referencing = _object(raw_referencing, "referencing")
    raw_lines = data.get("lines")
    if raw_lines is None and not partial:
        raise InvalidInput("lines : la liste des lignes du devis est obligatoire.")
    if raw_lines is not None and not isinstance(raw_lines, list):
        raise InvalidInput("lines : une liste de lignes est attendue.")
    return QuoteDocument(
        number=_text(data.get("number"), "number", required=not partial),
        dsr=_dsr_code(data.get("dsr"), "dsr", required=not partial),
        client=ClientInfo(
            name=_text(client.get("name"), "client.name", required=False) or "",
            siret=_text(client.get("siret"), "client.siret", required=False) or "",
            geographic_sites=_sites(
                client.get("geographic_sites"), "client.geographic_sites", required=not partial
            ),
        ),
        referencing=ReferencingInfo(
            referenced_on=_date(referencing.get("referenced_on"), "referencing.referenced_on"),
            proofs_complete_on=_date(
                referencing.get("proofs_complete_on"), "referencing.proofs_complete_on"
            ),
            referenced_on_known="referenced_on" in referencing,
            proofs_complete_on_known="proofs_complete_on" in referencing,
        ),
        order_date=_date(data.get("order_date"), "order_date"),
        signature_date=_date(data.get("signature_date"), "signature_date"),
        mentions=_strings(data.get("mentions"), "mentions", single_ok=True),
        conditions=_strings(data.get("conditions"), "conditions", single_ok=True),
        lines=tuple(_line(raw, i, partial=partial) for i, raw in enumerate(raw_lines or ())),
        software=_software(data),
    )
