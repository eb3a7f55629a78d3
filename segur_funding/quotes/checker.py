"""The one quote checker behind the three doors (lab web page, API, `manage.py check_quote`).

Reads the reference data (the DSR's active funding scheme) and hands plain values to the pure
rules in `rules/`; every door renders the same `Report`.
"""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from segur_funding.core import clock
from segur_funding.core.errors import InvalidInput
from segur_funding.referential.rules import SchemeRef
from segur_funding.referential.selectors import dsr_exists, scheme_ref_for_dsr

from .documents import QuoteDocument, parse_quote_document, quote_json_loads
from .report import Report
from .rules import check_quote
from .rules.conditions import ConditionMatcher
from .rules.labels import LabelMatcher
from .selectors import label_matcher, referenced_solutions

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
    data: object,
    *,
    today: date | None,
    partial: bool,
    manual_checks: Sequence[str] = (),
    fully_read: bool = True,
    labels: LabelMatcher | None = None,
) -> Report:
    doc = parse_quote_document(data, partial=partial)
    scheme = _scheme_for(doc)
    referencing = doc.referencing
    solutions = (
        referenced_solutions(dsr_code=doc.dsr)
        if doc.dsr and not (referencing.referenced_on_known and referencing.proofs_complete_on_known)
        else ()
    )
    return check_quote(
        doc,
        scheme=scheme,
        today=today or clock.today(),
        manual_checks=manual_checks,
        fully_read=fully_read,
        labels=labels or label_matcher(),
        referenced_solutions=solutions,
    )


def _fully_read(reading: object) -> bool:
    """Whether the PDF reader read the whole text layer (every page, every table).

    The reader says so in `PdfReading.fully_read`; a reader that does not (yet) is taken at its
    manual checks: any of them may stand for a part it could not read.
    """
    said = getattr(reading, "fully_read", None)
    if isinstance(said, bool):
        return said
    return not any(check.strip() for check in getattr(reading, "manual_checks", ()))


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
    return quote_json_loads(text)


def quote_check_file(
    path: Path, *, overrides: Mapping[str, object] | None = None, today: date | None = None
) -> Report:
    """Check a quote file: a SPEC §4 JSON document or a PDF quote (its text layer is read).

    `overrides` (keys of OVERRIDE_PATHS) give the context a PDF rarely states and win over what
    the file says. InvalidInput (French, one sentence) for anything that is not a readable quote.
    """
    return quote_check_file_read(path, overrides=overrides, today=today)[0]


def quote_check_file_read(
    path: Path, *, overrides: Mapping[str, object] | None = None, today: date | None = None
) -> tuple[Report, object]:
    """`quote_check_file`, with the document it judged (what was read from a PDF, the context
    options written over it): the lab's page shows the lines read."""
    path = Path(path)
    raw = _read(path)
    name = path.name
    if raw.lstrip()[:5] == b"%PDF-":
        # Imported here: PDF libraries stay out of start-up (STYLE, "Small habits").
        from segur_funding.quotes.pdf_reader import read_pdf_quote

        # One matcher for the reading and the rules: the PDF's conditions are picked out with
        # the wordings the checker reads a JSON quote's mentions with (asked for once the file
        # has been opened: a refused file costs no query).
        matchers: list[LabelMatcher] = []

        def conditions() -> ConditionMatcher:
            matchers.append(label_matcher())
            return matchers[0].conditions

        reading = read_pdf_quote(raw, conditions=conditions)
        document = apply_overrides(reading.document, overrides)
        report = _check(
            document,
            today=today,
            partial=True,
            manual_checks=list(reading.manual_checks),
            fully_read=_fully_read(reading),
            labels=matchers[0] if matchers else None,
        )
        if reading.warnings:
            report = replace(report, findings=(*report.findings, *reading.warnings))
        return report, document
    if path.suffix.lower() == ".pdf":
        raise InvalidInput(f"Le fichier « {name} » n'est pas un PDF valide (en-tête %PDF absent).")
    first = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if first not in (b"{", b"["):
        raise InvalidInput(
            f"Type de fichier non reconnu pour « {name} » : ni un devis JSON ni un PDF."
        )
    document = apply_overrides(_json(raw, name), overrides)
    return _check(document, today=today, partial=False), document
