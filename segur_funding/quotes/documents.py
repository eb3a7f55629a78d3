"""The quote document of SPEC §4 as frozen values, and its validation from JSON-shaped data.

Every refusal is an InvalidInput with one French sentence that names the field, e.g.
« lines[2].amount_ttc (ligne 3 du devis) : montant négatif : « -5 » ». `lines[i]` is the JSON
index (from 0); the report's `line` numbers are 1-based, hence the "ligne N" in parentheses.

Pure: no ORM, no settings, no I/O.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from segur_funding.core.errors import InvalidInput
from segur_funding.core.money import parse_amount

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


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
    text = str(value).strip()
    _no_control_characters(text, field)
    if not text and required:
        raise InvalidInput(f"{field} : valeur obligatoire vide.")
    return text or None


def _date(value: object, field: str) -> date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        raise InvalidInput(f"{field} : date invalide « {value} » (format attendu AAAA-MM-JJ).")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{field} : date inexistante « {value} ».") from None


def _amount(value: object, field: str, *, required: bool) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"{field} : montant obligatoire absent.")
        return None
    try:
        return parse_amount(value)
    except ValueError as exc:
        raise InvalidInput(f"{field} : {exc}.") from None


def _sites(value: object, field: str, *, required: bool) -> int | None:
    if value is None:
        if required:
            raise InvalidInput(
                f"{field} : le nombre de sites géographiques utilisateurs de l'instance "
                "logicielle est obligatoire."
            )
        return None
    # JSON numbers only: 12.0, "12" or true are refused rather than guessed.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(
            f"{field} : le nombre de sites géographiques doit être un nombre entier supérieur "
            f"ou égal à 1 (reçu : {value!r})."
        )
    if value < 1:
        raise InvalidInput(
            f"{field} : le nombre de sites géographiques doit être au moins 1 (reçu : {value})."
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


def _line(raw: object, index: int, *, partial: bool) -> QuoteLine:
    if not isinstance(raw, dict):
        raise InvalidInput(f"lines[{index}] (ligne {index + 1} du devis) : un objet est attendu.")
    label = _text(raw.get("label"), _line_field(index, "label"), required=False) or ""
    scope = raw.get("scope")
    if scope is not None and not isinstance(scope, str):
        raise InvalidInput(f"{_line_field(index, 'scope')} : un texte est attendu.")
    scope = (scope.strip().lower() or None) if scope is not None else None
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
    )
