"""Read a PDF quote: the embedded quote document when there is one, else its text layer.

Only extraction happens here; conformity is the checker's business. What cannot be read
reliably is reported as manual checks (French sentences), which make the verdict
"incomplete". Files that cannot be read at all (not a PDF, empty, truncated, encrypted, too
big, decompression bombs) raise InvalidInput with one French line.
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from segur_funding.core.errors import InvalidInput
from segur_funding.quotes.pdf.classify import classify
from segur_funding.quotes.pdf.extract import PageText, extract_page
from segur_funding.quotes.pdf.fields import read_fields
from segur_funding.quotes.pdf.french import normalize
from segur_funding.quotes.pdf.layout import build_paragraphs, build_rows, text_lines
from segur_funding.quotes.pdf.ruled import RuledReading, TooSlow, has_rules, read_ruled
from segur_funding.quotes.pdf.table import rebuild
from segur_funding.quotes.pdf.wrapping import attach_wrapped_labels
from segur_funding.quotes.rules.conditions import ConditionMatcher
from segur_funding.quotes.rules.seal import SealCheck, attachment_findings
from segur_funding.quotes.rules.text import DEFAULT_MATCHER
from segur_funding.quotes.signing import pdf_seal_check, signing_keys

MAX_BYTES = 20 * 1024 * 1024
MAX_PAGES = 50
# A quote's page content stream inflates to kilobytes, a page heavy with vector drawings to
# a megabyte or so; an embedded JSON to a few kilobytes.
MAX_STREAM_BYTES = 16 * 1024 * 1024
MAX_PAGE_CONTENT_BYTES = 4 * 1024 * 1024
MAX_CONTENT_BYTES = 24 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024
# A dense quote page holds 5,000 characters in 500 pieces; fifty of them, 250,000 in 25,000.
MAX_TEXT_CHARACTERS = 400_000
MAX_FRAGMENTS = 30_000
# Wall-clock budget for the whole reading, checked between pages.
TIME_BUDGET_SECONDS = 5.0

ATTACHMENT_NAME = "devis-segur.json"
LOCKED_PDF_REFUSAL = (
    "Le PDF est protégé par un mot de passe à l'ouverture : demandez à l'éditeur une "
    "version sans mot de passe puis déposez-la à nouveau."
)

_quiet_lock = threading.Lock()
_quiet_readers = 0
_quiet_saved_propagate = True
_quiet_handler = logging.NullHandler()


@contextmanager
def _pypdf_quiet() -> Iterator[None]:
    """Silence pypdf's logging while quotes are being read.

    pypdf logs every oddity of a damaged file; `check_quote` must print one French line and
    nothing else. Its records stop at the "pypdf" logger, whose only handler drops them. Not a
    level change: `Logger.setLevel` clears the cache of every logger of the process, twice
    per file read, a fixed cost that showed on small quotes. A counter keeps this right when
    several threads read at once.
    """
    global _quiet_readers, _quiet_saved_propagate
    pypdf_logger = logging.getLogger("pypdf")
    with _quiet_lock:
        if _quiet_readers == 0:
            _quiet_saved_propagate = pypdf_logger.propagate
            pypdf_logger.addHandler(_quiet_handler)
            pypdf_logger.propagate = False
        _quiet_readers += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_readers -= 1
            if _quiet_readers == 0:
                pypdf_logger.propagate = _quiet_saved_propagate
                pypdf_logger.removeHandler(_quiet_handler)


@dataclass(frozen=True)
class PdfReading:
    """What a PDF quote establishes.

    document: the SPEC §4 quote-document shape, only the keys the PDF establishes.
    manual_checks: French sentences, what a person must check by hand.
    embedded: True when `document` is the JSON quote document attached to the PDF (only when
        the platform sealed it and the printed text is the one it sealed).
    text: the extracted text, pages separated by form feeds.
    warnings: findings about an attachment that was not believed (`rules.seal`).
    fully_read: every page had a readable text layer and the quote table was rebuilt without
        a doubt (no line without amount, no total disagreeing with its lines). An absence in
        such a reading (the State-funding wording, the §3.2 mention) is a fact about the
        quote, not something that may hide in an unread part: the rules can call it an error.
    """

    document: dict
    manual_checks: list[str]
    embedded: bool
    text: str
    fully_read: bool = False
    warnings: tuple = ()


def read_pdf_quote(
    data: bytes, *, conditions: Callable[[], ConditionMatcher] | None = None
) -> PdfReading:
    """Read a PDF quote. Raises InvalidInput for a file that cannot be read at all.

    `conditions` gives the wordings of conditional offers in force (the checker passes the
    selector's, read from the reference data); it is called once the file has been opened, so
    a file refused costs no query. None reads with the shipped wordings.
    """
    _check_envelope(data)
    pages, attachment, grids = _read_pages(data)
    layer_checks = _text_layer_checks(pages)
    grids = _Grids([n for n in grids.pages if n not in layer_checks], grids.rotated)
    matcher = DEFAULT_MATCHER.conditions if conditions is None else conditions()
    reading = _rebuild(pages, layer_checks, data, grids, matcher)
    if attachment is None:
        return reading
    document, problem, seal = attachment
    if problem is not None:
        return PdfReading(
            reading.document, [problem, *reading.manual_checks], False, reading.text, reading.fully_read
        )
    if not seal.trusted:
        # SPEC §4: what the lab signs is the printed page; an attachment the platform did not
        # seal (or a seal that does not match this page) is only compared with it.
        warnings = attachment_findings(
            seal, name=ATTACHMENT_NAME, attached=document, printed=reading.document
        )
        return replace(reading, warnings=warnings)
    # The attached document is the quote; a page without text (a scanned signed page, say)
    # may still carry handwritten changes, so it stays a manual check.
    checks = list(layer_checks.values())
    mismatch = _compare(document, reading)
    if mismatch:
        checks.append(mismatch)
    return PdfReading(document, checks, True, reading.text, reading.fully_read)


# --------------------------------------------------------------------------------------------
# Opening the file safely
# --------------------------------------------------------------------------------------------


def _check_envelope(data: bytes) -> None:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidInput("Le fichier reçu n'est pas un fichier PDF.")
    if len(data) == 0:
        raise InvalidInput("Le fichier PDF est vide.")
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            f"Le fichier PDF dépasse {MAX_BYTES // (1024 * 1024)} Mo : un devis n'est pas si "
            "volumineux, déposez une version allégée."
        )
    if b"%PDF-" not in bytes(data[:1024]):
        raise InvalidInput("Le fichier n'est pas un PDF (en-tête %PDF absent).")
    if b"%%EOF" not in bytes(data[-2048:]):
        raise InvalidInput(
            "Le fichier PDF est incomplet (tronqué) : téléchargez-le à nouveau puis redéposez-le."
        )


def _limits() -> dict[str, Any]:
    return {
        "maximum_declared_stream_length": MAX_BYTES,
        "zlib_maximum_output_length": MAX_STREAM_BYTES,
        "lzw_maximum_output_length": MAX_STREAM_BYTES,
        "run_length_maximum_output_length": MAX_STREAM_BYTES,
        "array_based_stream_maximum_output_length": MAX_STREAM_BYTES,
        "jbig2_maximum_output_length": MAX_STREAM_BYTES,
        "brotli_maximum_output_length": MAX_STREAM_BYTES,
        "image_maximum_buffer_size": MAX_STREAM_BYTES,
        "zlib_maximum_recovery_input_length": 512 * 1024,
        "stream_decoding_work_maximum_length": 4 * MAX_STREAM_BYTES,
        "stream_parsing_work_maximum_count": 100_000,
        "page_tree_maximum_entries": 10_000,
        "page_tree_maximum_page_entries": 10_000,
        "xform_maximum_invocations_per_extraction": 500,
        "array_maximum_element_count": 50_000,
        "dictionary_maximum_element_count": 50_000,
        # The quote's own text is all we need: never call an external JBIG2 decoder.
        "jbig2dec_binary": None,
    }


def _unreadable(exception: BaseException) -> InvalidInput:
    name = type(exception).__name__
    message = str(exception).lower()
    if isinstance(exception, MemoryError) or ("Limit" in name and "decompress" in message):
        return InvalidInput(
            "Le fichier PDF contient des données trop volumineuses une fois décompressées : "
            "il ne peut pas être lu."
        )
    if "Limit" in name:
        return InvalidInput(
            "Le fichier PDF a une structure trop volumineuse pour un devis : il ne peut pas être lu."
        )
    return InvalidInput("Le fichier PDF est endommagé ou illisible : il ne peut pas être lu.")


@dataclass(frozen=True)
class _Grids:
    """The pages that draw a grid of rules (read with pdfplumber), and whether one is rotated."""

    pages: list[int]
    rotated: bool


def _read_pages(data: bytes) -> tuple[list[PageText], tuple[dict, str | None] | None, _Grids]:
    """Open the PDF under tight pypdf limits; extract each page once; read the attachment.

    Every pypdf failure, whatever its type, becomes InvalidInput: a hostile file must never
    produce a traceback.
    """
    from pypdf import apply_configuration

    started = time.monotonic()
    with _pypdf_quiet(), apply_configuration(**_limits()):
        reader = _open(data)
        count = _page_count(reader)
        grids = _check_content_sizes(reader, count)
        pages = []
        characters = fragments = 0
        for index in range(count):
            if time.monotonic() - started > TIME_BUDGET_SECONDS:
                raise InvalidInput(
                    "La lecture du PDF a dépassé le temps imparti : le fichier est trop "
                    "complexe pour être lu automatiquement."
                )
            try:
                page = extract_page(reader.pages[index], index + 1)
            except Exception as exception:
                raise _unreadable(exception) from None
            characters += sum(len(fragment.text) for fragment in page.fragments)
            fragments += len(page.fragments)
            if page.overflow or characters > MAX_TEXT_CHARACTERS or fragments > MAX_FRAGMENTS:
                raise InvalidInput(
                    f"Le PDF porte bien plus de texte qu'un devis (limite atteinte page "
                    f"{index + 1}) : il ne peut pas être lu automatiquement."
                )
            pages.append(page)
        attachment = _attachment(reader)
        if attachment is None or attachment[1] is not None:
            return pages, attachment, grids
        document, _, raw = attachment
        # pypdf's plain extraction of each page, already run with the positions: the seal
        # hashes it as it is (a page with text drawn turned, which the positioned pass leaves
        # out, is extracted again in full).
        texts = [None if page.rotated_text or page.overflow else page.text for page in pages]
        return pages, (document, None, _seal_check(reader, raw, texts)), grids


def _seal_check(reader: Any, document: bytes | None, texts: list[str | None] | None = None) -> SealCheck:
    keys = signing_keys()  # a configuration error is not the file's fault
    try:
        return pdf_seal_check(reader, document=document, keys=keys, texts=texts or ())
    except Exception as exception:
        raise _unreadable(exception) from None


def read_pdf_seal(data: bytes) -> SealCheck | None:
    """The platform's seal of a PDF, checked (the public verification page), without reading
    its table; None when it has no quote attachment. InvalidInput as for `read_pdf_quote`."""
    from pypdf import apply_configuration

    _check_envelope(data)
    with _pypdf_quiet(), apply_configuration(**_limits()):
        reader = _open(data)
        _check_content_sizes(reader, _page_count(reader))
        attachment = _attachment(reader)
        if attachment is None or attachment[1] is not None:
            return None
        return _seal_check(reader, attachment[2])


def _open(data: bytes) -> Any:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(bytes(data)), strict=False)
        encrypted = reader.is_encrypted
    except Exception as exception:
        raise _unreadable(exception) from None
    if encrypted:
        _decrypt_with_empty_password(reader)
    return reader


def _decrypt_with_empty_password(reader: Any) -> None:
    """Open a PDF protected by an owner password only, as every PDF viewer does.

    Editors often restrict printing or copying with an owner password and leave the user
    password empty: such a file opens without asking and is read normally (SPEC §4). A file
    whose user password is not empty cannot be opened without it: the lab must ask the editor
    for an unprotected copy. AES needs pypdf's `crypto` extra (cryptography).
    """
    from pypdf import PasswordType
    from pypdf.errors import DependencyError

    try:
        opened = reader.decrypt("")
    except (DependencyError, NotImplementedError):
        raise InvalidInput(
            "Le fichier PDF utilise un chiffrement que le vérificateur ne sait pas ouvrir : "
            "enregistrez-le sans protection puis déposez-le à nouveau."
        ) from None
    except Exception as exception:
        raise _unreadable(exception) from None
    if opened == PasswordType.NOT_DECRYPTED:
        raise InvalidInput(LOCKED_PDF_REFUSAL)


def needs_password(stream: Any) -> bool:
    """Whether a PDF asks for a password to open (an owner password alone does not).

    Only the trailer and the encryption dictionary are read: upload forms call this to refuse
    such a file at once, with the checker's own words (LOCKED_PDF_REFUSAL).
    """
    from pypdf import PasswordType, PdfReader

    try:
        with _pypdf_quiet():
            reader = PdfReader(stream, strict=False)
            return bool(reader.is_encrypted) and reader.decrypt("") == PasswordType.NOT_DECRYPTED
    except Exception:  # unreadable or an unknown cipher: the background check says which
        return False


def _page_count(reader: Any) -> int:
    try:
        # The page tree's declared count first: flattening a tree of millions of pages is the
        # very work a hostile file wants us to do.
        count = max(_declared_page_count(reader), len(reader.pages))
    except InvalidInput:
        raise
    except Exception as exception:
        raise _unreadable(exception) from None
    if count > MAX_PAGES:
        raise InvalidInput(
            f"Le PDF compte {count} pages : au-delà de {MAX_PAGES} pages, il ne peut pas "
            "s'agir d'un devis lisible automatiquement."
        )
    if count == 0:
        raise InvalidInput("Le fichier PDF ne contient aucune page.")
    return count


def _check_content_sizes(reader: Any, count: int) -> _Grids:
    """Refuse before parsing anything when the pages' drawings inflate beyond any quote's.

    Returns the pages that draw a grid of rules (ruled.has_rules), read once inflated.

    Inflating is fast (zlib, in C) and pypdf keeps the result for the extraction; parsing is
    slow (Python, operator by operator): a page of megabytes of operators is where a hostile
    file would spend our time and memory.
    """
    from pypdf.generic import ArrayObject

    total = 0
    ruled = []
    rotated = False
    for index in range(count):
        try:
            contents = reader.pages[index].get("/Contents")
            contents = contents.get_object() if contents is not None else None
            streams = contents if isinstance(contents, ArrayObject) else [contents]
            inflated = [stream.get_object().get_data() for stream in streams if stream is not None]
            size = sum(len(chunk) for chunk in inflated)
        except Exception as exception:
            raise _unreadable(exception) from None
        if size <= MAX_PAGE_CONTENT_BYTES and any(has_rules(chunk) for chunk in inflated):
            ruled.append(index + 1)
            rotated = rotated or _rotation(reader.pages[index]) != 0
        total += size
        if size > MAX_PAGE_CONTENT_BYTES or total > MAX_CONTENT_BYTES:
            raise InvalidInput(
                f"La page {index + 1} du PDF contient des dessins trop volumineux pour un devis "
                f"({size // (1024 * 1024)} Mo une fois décompressés) : il ne peut pas être lu."
            )
    return _Grids(ruled, rotated)


def _declared_page_count(reader: Any) -> int:
    count = reader.trailer["/Root"].get_object()["/Pages"].get_object().get("/Count", 0)
    try:
        declared = int(count.get_object() if hasattr(count, "get_object") else count)
    except (TypeError, ValueError):
        return 0
    if declared > MAX_PAGES:
        raise InvalidInput(
            f"Le PDF annonce {declared} pages : au-delà de {MAX_PAGES} pages, il ne peut pas "
            "s'agir d'un devis lisible automatiquement."
        )
    return declared


def _attachment(reader: Any) -> tuple[dict, str | None, bytes | None] | None:
    """The quote document attached by segur_funding, if any: (document, problem, its bytes)."""
    try:
        catalog_names = reader.trailer["/Root"].get_object().get("/Names")
        if catalog_names is None or "/EmbeddedFiles" not in catalog_names.get_object():
            return None  # the common case, answered without pypdf's name-tree walk
        names = list(reader.attachments.keys())
    except Exception as exception:
        raise _unreadable(exception) from None
    candidates = sorted(
        (n for n in names if str(n).lower().endswith(".json")),
        key=lambda n: (n != ATTACHMENT_NAME, n),
    )
    problem = None
    for name in candidates:
        try:
            contents = reader.attachments[name]
        except Exception as exception:
            raise _unreadable(exception) from None
        for content in contents:
            if len(content) > MAX_ATTACHMENT_BYTES:
                problem = f"La pièce jointe {name} est trop volumineuse : elle a été ignorée."
                continue
            try:
                document = json.loads(content.decode("utf-8-sig"))
            except (UnicodeDecodeError, ValueError, RecursionError):
                problem = (
                    f"La pièce jointe {name} n'est pas un JSON lisible : le devis a été lu "
                    "depuis son texte, vérifiez-le."
                )
                continue
            if isinstance(document, dict) and isinstance(document.get("lines"), list):
                return document, None, content
    if problem is not None:
        return {}, problem, None
    return None


# --------------------------------------------------------------------------------------------
# From pages to a quote document
# --------------------------------------------------------------------------------------------


# Replacement, control and private-use characters: what a font without a Unicode map yields.
_GARBAGE = re.compile("[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")


def _garbled(text: str) -> bool:
    if _GARBAGE.search(text) is None:
        return False
    visible = len("".join(text.split()))
    return visible >= 20 and len(_GARBAGE.findall(text)) > visible // 10


def _text_layer_checks(pages: list[PageText]) -> dict[int, str]:
    """Pages whose text layer cannot be read (scanned, vector-drawn, garbled): page -> check."""
    checks: dict[int, str] = {}
    for page in pages:
        readable = "".join(f.text for f in page.fragments).strip()
        if not readable and page.has_images:
            checks[page.number] = (
                f"Page {page.number} : aucun texte lisible, la page est une image "
                "(document numérisé ?) : lisez-la et vérifiez-la à la main."
            )
        elif not readable:
            checks[page.number] = (
                f"Page {page.number} : aucun texte lisible (page blanche ou texte vectorisé) : "
                "vérifiez-la à la main."
            )
        elif _garbled(readable):
            checks[page.number] = (
                f"Page {page.number} : le texte extrait est illisible (police sans "
                "correspondance Unicode) : vérifiez cette page à la main."
            )
    return checks


def _rebuild(
    pages: list[PageText],
    layer_checks: dict[int, str],
    data: bytes,
    grids: _Grids,
    conditions: ConditionMatcher,
) -> PdfReading:
    checks = list(layer_checks.values())
    rows = [row for page in pages if page.number not in layer_checks for row in build_rows(page)]

    infos = classify(rows)
    attach_wrapped_labels(infos)
    table = rebuild(infos)
    ruled = _read_ruled(data, grids, {page.number: page.operations for page in pages})
    if ruled is not None:
        # The grid's cells are the quote's cells: its reading replaces the guess from gaps.
        table.lines, table.checks, table.generic_amounts = ruled.lines, ruled.checks, ruled.generic_amounts
    checks.extend(table.checks)

    paragraphs = build_paragraphs([line for row in table.text_rows for line in text_lines(row)])
    headings = [info.row.text for info in infos if info.kind == "section"]
    document, field_checks = read_fields(
        texts=[row.text for row in table.text_rows],
        paragraphs=paragraphs,
        lines=table.lines,
        headings=headings,
        conditions=conditions,
    )
    checks.extend(field_checks)
    document["lines"] = table.lines
    if table.generic_amounts and table.lines:
        words = set(normalize(" ".join(row.text for row in rows)).split())
        if "ttc" not in words or "ht" in words:
            checks.append(
                "Le devis ne précise pas si les montants des lignes sont HT ou TTC : ils ont "
                "été lus comme TTC, vérifiez-le."
            )
    if rows and not table.lines:
        checks.append(
            "Aucune ligne de devis n'a été reconnue dans le texte du PDF : vérifiez le tableau à la main."
        )
    text = "\f".join(page.text for page in pages)
    fully_read = bool(pages) and not layer_checks and bool(table.lines) and not table.checks
    return PdfReading(document, checks, False, text, fully_read)


def _rotation(page: Any) -> int:
    try:
        return int(page.get("/Rotate", 0) or 0) % 360
    except (TypeError, ValueError):
        return 0


def _upright(data: bytes) -> bytes:
    """The same PDF with no page rotation: a rotated page's text is drawn upright in its own
    coordinates, which is how the table finder must see it."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, NumberObject

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        reader.decrypt("")
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        page[NameObject("/Rotate")] = NumberObject(0)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _read_ruled(data: bytes, grids: _Grids, operations: dict[int, list | None]) -> RuledReading | None:
    if not grids.pages:
        return None
    try:
        with _pypdf_quiet():
            if grids.rotated:
                # The table finder works in the displayed orientation: read the pages upright.
                data = _upright(data)
            return read_ruled(
                data,
                grids.pages,
                budget_seconds=TIME_BUDGET_SECONDS,
                operations={n: ops for n, ops in operations.items() if ops},
            )
    except TooSlow:
        raise InvalidInput(
            "La lecture du PDF a dépassé le temps imparti : le fichier est trop complexe pour "
            "être lu automatiquement."
        ) from None
    except Exception:
        # pypdf opened the file; a failure of the second parser leaves the first one's reading.
        return None


def _compare(document: dict, reading: PdfReading) -> str | None:
    """Does the printed table say the same as the attached document? Only when it is clear."""
    printed = reading.document.get("lines") or []
    if not printed or reading.manual_checks:
        return None

    def key(lines: list) -> list[tuple[str, str]]:
        out = []
        for line in lines:
            if not isinstance(line, dict) or line.get("scope") not in {"segur", "state_funding"}:
                continue
            try:
                amount = f"{Decimal(str(line.get('amount_ttc'))):.2f}"
            except Exception:
                return []
            out.append((str(line.get("scope")), amount))
        return sorted(out)

    attached = key(document.get("lines") or [])
    if attached and key(printed) != attached:
        return (
            f"Le tableau imprimé du devis ne correspond pas à la pièce jointe {ATTACHMENT_NAME} "
            "(montants de la Prestation Ségur ou de la prise en charge de l'État différents) : "
            "vérifiez quel document le client a signé."
        )
    return None
