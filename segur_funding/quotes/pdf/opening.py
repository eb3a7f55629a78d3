"""Open a PDF quote safely: size, page and stream limits, passwords, one extraction per page,
the attachment and its seal.

Files that cannot be read at all (not a PDF, empty, truncated, encrypted, too big,
decompression bombs) raise InvalidInput with one French line; a hostile file never produces a
traceback. What the pages say is `reader.py`'s business.
"""

from __future__ import annotations

import gc
import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from segur_funding.core.errors import InvalidInput
from segur_funding.quotes.pdf.cycles import release
from segur_funding.quotes.pdf.extract import PageText, extract_page
from segur_funding.quotes.pdf.ruled import has_rules
from segur_funding.quotes.rules.seal import SealCheck
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

class WhileReading:
    """A process-wide setting changed by the first reader in and put back by the last one out.

    `change()` returns what `restore(saved)` needs. Several threads may read at once: a counter
    under a lock makes the first one in change the setting and the last one out restore it, so
    no reader restores it under another one still reading (which a plain save-and-restore per
    reader would do when their readings overlap).
    """

    def __init__(self, change: Callable[[], Any], restore: Callable[[Any], None]) -> None:
        self._change, self._restore = change, restore
        self._lock = threading.Lock()
        self._readers = 0
        self._saved: Any = None

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._readers == 0:
                self._saved = self._change()
            self._readers += 1
        try:
            yield
        finally:
            with self._lock:
                self._readers -= 1
                if self._readers == 0:
                    self._restore(self._saved)


_quiet_handler = logging.NullHandler()


def _pypdf_silenced() -> bool:
    pypdf_logger = logging.getLogger("pypdf")
    propagate = pypdf_logger.propagate
    pypdf_logger.addHandler(_quiet_handler)
    pypdf_logger.propagate = False
    return propagate


def _pypdf_heard(propagate: bool) -> None:
    pypdf_logger = logging.getLogger("pypdf")
    pypdf_logger.propagate = propagate
    pypdf_logger.removeHandler(_quiet_handler)


# Silence pypdf's logging while quotes are being read: pypdf logs every oddity of a damaged
# file; `check_quote` must print one French line and nothing else. Its records stop at the
# "pypdf" logger, whose only handler drops them. Not a level change: `Logger.setLevel` clears
# the cache of every logger of the process, twice per file read, a fixed cost that showed on
# small quotes.
pypdf_quiet = WhileReading(_pypdf_silenced, _pypdf_heard)


def _collector_paused() -> bool:
    enabled = gc.isenabled()
    gc.disable()
    return enabled


def _collector_back(was_enabled: bool) -> None:
    if was_enabled:
        gc.enable()  # a collector someone else had turned off stays off


# Pause Python's cyclic garbage collector while a quote is read. A reading keeps a few thousand
# small objects alive (fragments, rows, cells) while it makes them, so the collector's youngest
# generation fills again and again and each collection walks what the reading still holds:
# about a tenth of the reading of a one-page quote. What a reading throws away is freed by
# reference counting as it goes, the libraries' cycles included (`cycles.release`). What a
# reading can hold is bounded by the limits above
# (MAX_FRAGMENTS, MAX_TEXT_CHARACTERS, page and stream sizes), so memory stays bounded.
collector_paused = WhileReading(_collector_paused, _collector_back)


def check_envelope(data: bytes) -> None:
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
class Grids:
    """The pages that draw a grid of rules (read with pdfplumber), and whether one is rotated."""

    pages: list[int]
    rotated: bool


def read_pages(data: bytes) -> tuple[list[PageText], tuple[dict, str | None] | None, Grids]:
    """Open the PDF under tight pypdf limits; extract each page once; read the attachment.

    Every pypdf failure, whatever its type, becomes InvalidInput: a hostile file must never
    produce a traceback.
    """
    from pypdf import apply_configuration

    started = time.monotonic()
    with pypdf_quiet(), apply_configuration(**_limits()):
        reader = _open(data)
        try:
            return _read_open(reader, started)
        finally:
            release(reader)


def _read_open(reader: Any, started: float) -> tuple[list[PageText], tuple[dict, str | None] | None, Grids]:
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

    check_envelope(data)
    with pypdf_quiet(), apply_configuration(**_limits()):
        reader = _open(data)
        try:
            _check_content_sizes(reader, _page_count(reader))
            attachment = _attachment(reader)
            if attachment is None or attachment[1] is not None:
                return None
            return _seal_check(reader, attachment[2])
        finally:
            release(reader)


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
        with pypdf_quiet():
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


def _check_content_sizes(reader: Any, count: int) -> Grids:
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
    return Grids(ruled, rotated)


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


def _rotation(page: Any) -> int:
    try:
        return int(page.get("/Rotate", 0) or 0) % 360
    except (TypeError, ValueError):
        return 0
