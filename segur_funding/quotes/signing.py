"""The platform seals the quote PDFs it issues, and checks the seal of any PDF it is given.

An issued quote PDF carries two attachments: `devis-segur.json`, the SPEC §4 document as before
(readable by anyone), and `devis-segur.signature.json`, its seal (`rules.seal`): HMAC-SHA256
with a platform key over the document's SHA-256, the printed text's SHA-256, the quote number,
its verification token, issue date and editor. A PDF reader believes the attachment only when
the seal checks out against both; the public verification page asks the same question.

HMAC rather than Ed25519: only the platform verifies (the public page answers for everyone), so
a shared secret is enough, and it needs nothing beyond the standard library. The keys come from
`SEGUR_SIGNING_KEYS` (`id:secret,id:secret`): new seals use the first key, seals made with any
listed key still check, so a key is rotated by putting a new one first and dropping the old one
once the quotes it sealed no longer matter.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .rules.seal import SealCheck, SealOutcome, parse_signing_keys, printed_sha256, seal_check, seal_make

DOCUMENT_ATTACHMENT_NAME = "devis-segur.json"
SEAL_ATTACHMENT_NAME = "devis-segur.signature.json"
MAX_SEAL_BYTES = 16 * 1024


@lru_cache(maxsize=4)
def _keys(raw: str) -> tuple[tuple[str, bytes], ...]:
    try:
        return parse_signing_keys(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(str(exc)) from None


def signing_keys() -> tuple[tuple[str, bytes], ...]:
    """The platform's keys, the signing one first (ImproperlyConfigured when unusable)."""
    return _keys(settings.SEGUR_SIGNING_KEYS)


DEV_SECRET = b"dev-only-signing-key-never-used-in-production"


def signing_keys_check(app_configs: Any = None, **kwargs: Any) -> list:
    """System check (`manage.py check`): the keys parse, and outside demo mode none of them is
    the public development key (anyone could seal a forged quote with it)."""
    from django.core.checks import Error

    try:
        keys = signing_keys()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="segur.E004")]
    if not settings.SEGUR_DEMO_MODE and any(secret == DEV_SECRET for _, secret in keys):
        return [
            Error(
                "SEGUR_SIGNING_KEYS contient la clé de développement, publique : définissez une "
                "clé secrète propre à cet environnement.",
                id="segur.E005",
            )
        ]
    return []


def _annotation_marks(page: Any) -> str:
    """What annotations draw over the page, as text: subtype and contents of each one but links.

    A text box, stamp or drawing added over a genuine page is part of what the lab sees without
    being in the page's text; it must break the seal. Links (the ones the platform itself may
    print) do not draw anything.
    """
    marks = []
    annotations = page.get("/Annots")
    for annotation in annotations.get_object() if annotations is not None else []:
        annotation = annotation.get_object()
        subtype = str(annotation.get("/Subtype", ""))
        if subtype != "/Link":
            marks.append(f"[{subtype}:{annotation.get('/Contents', '')}]")
    return "".join(marks)


def pages_printed_sha256(reader: Any, texts: Sequence[str | None] = ()) -> str:
    """`printed_sha256` of a pypdf reader's pages (pypdf's plain text extraction, page by page,
    plus what annotations draw over them).

    pypdf's own `extract_text`, not the quote reader's table extraction: the seal must not
    change meaning when the table reading is improved. `texts`: what that extraction already
    returned for each page, when the caller ran it (None for a page it did not): the quote
    reader runs it once per page and hands its result here rather than extracting twice.
    """

    def text(index: int, page: Any) -> str:
        known = texts[index] if index < len(texts) else None
        return known if known is not None else (page.extract_text() or "")

    return printed_sha256(
        text(index, page) + _annotation_marks(page) for index, page in enumerate(reader.pages)
    )


def pdf_seal(
    pdf: bytes, *, document: bytes, number: str, token: str, issued_on: str, editor: str
) -> bytes:
    """`pdf` (as rendered, without attachments) with the quote document and its seal attached."""
    from pypdf import PdfReader, PdfWriter  # PDF libraries stay out of start-up

    reader = PdfReader(io.BytesIO(pdf))
    seal = seal_make(
        key=signing_keys()[0],
        number=number,
        token=token,
        issued_on=issued_on,
        editor=editor,
        document=document,
        printed=pages_printed_sha256(reader),
    )
    writer = PdfWriter(clone_from=reader)
    writer.add_attachment(DOCUMENT_ATTACHMENT_NAME, document)
    writer.add_attachment(
        SEAL_ATTACHMENT_NAME, json.dumps(seal, ensure_ascii=False, indent=2).encode("utf-8")
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _seal_attachment(reader: Any) -> object:
    try:
        contents = reader.attachments.get(SEAL_ATTACHMENT_NAME) or []
    except Exception:
        return None
    for content in contents:
        if len(content) > MAX_SEAL_BYTES:
            return "trop volumineux"
        try:
            return json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return "illisible"
    return None


def pdf_seal_check(
    reader: Any,
    *,
    document: bytes | None,
    keys: tuple[tuple[str, bytes], ...] | None = None,
    texts: Sequence[str | None] = (),
) -> SealCheck:
    """Is this opened PDF (a pypdf reader) one the platform issued, unchanged?

    `document`: the bytes of its `devis-segur.json` attachment (None when absent); `texts`: see
    `pages_printed_sha256`. The printed text is hashed only once everything else checks out: a
    forged file costs nothing more.
    """
    seal = _seal_attachment(reader)
    keys = keys if keys is not None else signing_keys()
    check = seal_check(seal, keys=keys, document=document, printed=None)
    if check.outcome is not SealOutcome.PRINTED_CHANGED:
        return check
    return seal_check(
        seal, keys=keys, document=document, printed=pages_printed_sha256(reader, texts)
    )
