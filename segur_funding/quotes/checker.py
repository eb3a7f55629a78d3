"""The one quote checker behind the three doors (lab web page, API, `manage.py check_quote`).

Reads the reference data (the DSR's active funding scheme) and hands plain values to the pure
rules in `rules/`; every door renders the same `Report`.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from segur_funding.core import clock
from segur_funding.core.errors import InvalidInput
from segur_funding.referential.rules import SchemeRef
from segur_funding.referential.selectors import dsr_exists, scheme_ref_for_dsr

from .documents import QuoteDocument, parse_quote_document
from .report import Report
from .rules import check_quote

# A quote is a few pages; anything bigger is not a quote (and is not read into memory).
MAX_FILE_BYTES = 50 * 1024 * 1024

# Context options that override what the document says: option name -> path in the document.
OVERRIDE_PATHS: dict[str, tuple[str, ...]] = {
    "dsr": ("dsr",),
    "geographic_sites": ("client", "geographic_sites"),
    "referenced_on": ("referencing", "referenced_on"),
    "proofs_complete_on": ("referencing", "proofs_complete_on"),
    "order_date": ("order_date",),
    "signature_date": ("signature_date",),
}


def _scheme_for(doc: QuoteDocument) -> SchemeRef | None:
    if doc.dsr is None:
        return None
    scheme = scheme_ref_for_dsr(dsr_code=doc.dsr)
    if scheme is not None:
        return scheme
    if dsr_exists(code=doc.dsr):
        raise InvalidInput(
            f"Le DSR « {doc.dsr} » n'a pas encore de barème de financement publié : "
            "le devis ne peut pas être vérifié."
        )
    raise InvalidInput(f"DSR inconnu : « {doc.dsr} » (exemples de codes : SGL-V1, LOINC-V1).")


def _check(
    data: object, *, today: date | None, partial: bool, manual_checks: Sequence[str] = ()
) -> Report:
    doc = parse_quote_document(data, partial=partial)
    return check_quote(
        doc,
        scheme=_scheme_for(doc),
        today=today or clock.today(),
        manual_checks=manual_checks,
    )


def quote_check_document(data: dict, *, today: date | None = None) -> Report:
    """Check a quote document (SPEC §4 JSON, already decoded). InvalidInput when impossible."""
    return _check(data, today=today, partial=False)


def apply_overrides(data: object, overrides: Mapping[str, object] | None) -> object:
    """The document with the context options written over it; the input is left untouched.

    None values are skipped. Keys are those of OVERRIDE_PATHS; values are in the document's JSON
    form (ISO date strings, an int for the sites). An explicit "not referenced yet" is passed as
    the string "none" by the command and becomes null here.
    """
    if not overrides:
        return data
    if not isinstance(data, dict):
        return data  # parse_quote_document refuses it with the right message
    # Only the objects on the written paths are copied, not the whole document: its lines and
    # mentions are shared with the caller's, which neither this function nor the checker
    # modifies, and a deep copy of them was a fixed cost on every quote checked with options.
    data = dict(data)
    for key, value in overrides.items():
        if value is None:
            continue
        path = OVERRIDE_PATHS.get(key)
        if path is None:
            raise InvalidInput(f"Option de contexte inconnue : « {key} ».")
        target = data
        for part in path[:-1]:
            child = target.get(part)
            child = dict(child) if isinstance(child, dict) else {}
            target[part] = child
            target = child
        target[path[-1]] = None if value == "none" else value
    return data


def _read(path: Path) -> bytes:
    name = path.name or str(path)
    if not path.exists():
        raise InvalidInput(f"Fichier introuvable : {path}.")
    if path.is_dir():
        raise InvalidInput(f"Le chemin « {name} » est un dossier, pas un fichier de devis.")
    if not path.is_file():
        raise InvalidInput(f"Le chemin « {name} » n'est pas un fichier ordinaire.")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInput(f"Le fichier « {name} » est trop volumineux pour être un devis.")
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"Fichier illisible « {name} » : {exc.strerror or exc}.") from None
    if not data.strip():
        raise InvalidInput(f"Le fichier « {name} » est vide.")
    return data


def _json(raw: bytes, name: str) -> object:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            f"Type de fichier non reconnu pour « {name} » : ni un devis JSON ni un PDF."
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"Fichier JSON illisible : {_json_error(exc.msg)} ligne {exc.lineno}, "
            f"colonne {exc.colno}."
        ) from None
    except RecursionError:
        raise InvalidInput("Fichier JSON illisible : imbrication trop profonde.") from None


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


def _json_error(msg: str) -> str:
    return _JSON_ERRORS.get(msg, msg)


def quote_check_file(
    path: Path, *, overrides: Mapping[str, object] | None = None, today: date | None = None
) -> Report:
    """Check a quote file: a SPEC §4 JSON document or a PDF quote (its text layer is read).

    `overrides` (keys of OVERRIDE_PATHS) give the context a PDF rarely states and win over what
    the file says. InvalidInput (French, one sentence) for anything that is not a readable quote.
    """
    path = Path(path)
    raw = _read(path)
    name = path.name
    if raw.lstrip()[:5] == b"%PDF-":
        # Imported here: PDF libraries stay out of start-up (STYLE, "Small habits").
        from segur_funding.quotes.pdf_reader import read_pdf_quote

        reading = read_pdf_quote(raw)
        report = _check(
            apply_overrides(reading.document, overrides),
            today=today,
            partial=True,
            manual_checks=list(reading.manual_checks),
        )
        if reading.warnings:
            report = replace(report, findings=(*report.findings, *reading.warnings))
        return report
    if path.suffix.lower() == ".pdf":
        raise InvalidInput(f"Le fichier « {name} » n'est pas un PDF valide (en-tête %PDF absent).")
    first = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if first not in (b"{", b"["):
        raise InvalidInput(
            f"Type de fichier non reconnu pour « {name} » : ni un devis JSON ni un PDF."
        )
    return _check(apply_overrides(_json(raw, name), overrides), today=today, partial=False)
