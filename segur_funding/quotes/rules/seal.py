"""The platform's seal on the quotes it issues, and how much an attached document is believed.

Source: SPEC §4, last paragraph — « What the lab signs is the printed page. A JSON document
attached to a PDF is trusted only when this platform issued it (it signs what it attaches, and
the signature and the printed text both check out); any other attachment is at most a hint, and
a difference between it and the printed text is reported. »

A seal is a small JSON object attached next to the quote document (`devis-segur.json`). It holds
the SHA-256 of the attached document's exact bytes, the SHA-256 of the printed text (see
`printed_sha256`), the quote's number and verification token, the issue date and the editor,
and an HMAC-SHA256 over all of these with a platform key named by its id (keys rotate: new seals
use the first key, old ones are checked with any known key).

Pure: no ORM, no settings, no I/O; the keys are arguments.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum

from ..constants import FindingCode, Severity
from ..report import Finding
from .text import normalise

SEAL_VERSION = 1
SEAL_ALGORITHM = "HMAC-SHA256"
# The fields a seal signs, in this order; `signature` is the HMAC over them.
SEALED_FIELDS = (
    "version",
    "algorithm",
    "key_id",
    "number",
    "token",
    "issued_on",
    "editor",
    "document_sha256",
    "printed_sha256",
)
MIN_SECRET_BYTES = 32


class SealOutcome(Enum):
    """Why an attachment is (not) believed; `TRUSTED` is the only outcome that is."""

    TRUSTED = "trusted"
    NO_SEAL = "no_seal"
    MALFORMED = "malformed"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    DOCUMENT_CHANGED = "document_changed"
    PRINTED_CHANGED = "printed_changed"


# Plain French, for the lab: why the attachment was not believed.
OUTCOME_REASONS = {
    SealOutcome.NO_SEAL: "elle ne porte pas la signature de la plateforme",
    SealOutcome.MALFORMED: "sa signature est illisible",
    SealOutcome.UNKNOWN_KEY: "elle est signée avec une clé que la plateforme ne connaît pas",
    SealOutcome.BAD_SIGNATURE: "sa signature ne correspond pas : elle n'a pas été émise telle "
    "quelle par la plateforme",
    SealOutcome.DOCUMENT_CHANGED: "elle a été modifiée depuis son émission par la plateforme",
    SealOutcome.PRINTED_CHANGED: "le texte imprimé du PDF n'est pas celui que la plateforme a "
    "émis avec elle (page modifiée, ou pièce jointe copiée dans un autre PDF)",
}


@dataclass(frozen=True, slots=True)
class SealCheck:
    outcome: SealOutcome
    seal: Mapping[str, object] | None = None  # the seal's fields when it could be read

    @property
    def trusted(self) -> bool:
        return self.outcome is SealOutcome.TRUSTED

    @property
    def reason(self) -> str:
        return OUTCOME_REASONS.get(self.outcome, "")


def parse_signing_keys(raw: str) -> tuple[tuple[str, bytes], ...]:
    """`id:secret,id:secret` -> ((id, secret bytes), ...), the first being the signing key.

    ValueError (French) for an empty list, a pair without its colon, a duplicate id or a secret
    shorter than 32 bytes (an HMAC key must be as long as the hash to be worth its name).
    """
    keys: list[tuple[str, bytes]] = []
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        key_id, sep, secret = item.partition(":")
        key_id, secret = key_id.strip(), secret.strip()
        if not sep or not key_id or not secret:
            raise ValueError(
                "SEGUR_SIGNING_KEYS : chaque clé s'écrit identifiant:secret, séparées par des virgules."
            )
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(
                f"SEGUR_SIGNING_KEYS : le secret de la clé « {key_id} » doit compter au moins "
                f"{MIN_SECRET_BYTES} caractères."
            )
        if any(existing == key_id for existing, _ in keys):
            raise ValueError(f"SEGUR_SIGNING_KEYS : l'identifiant « {key_id} » apparaît deux fois.")
        keys.append((key_id, secret.encode()))
    if not keys:
        raise ValueError("SEGUR_SIGNING_KEYS : aucune clé de signature.")
    return tuple(keys)


def printed_sha256(page_texts: Iterable[str]) -> str:
    """SHA-256 of the printed text: each page's text, NFKC, with every blank removed.

    The text, not the PDF's bytes nor its content streams: it is what the lab reads and signs,
    and it survives what happens to a genuine file on its way (re-saved by a viewer or pypdf,
    recompressed, linearised, protected by an owner password, given new metadata), whereas any
    of these rewrites the content streams. (The caller adds what annotations draw over a page:
    a text box stuck on a genuine page must break the seal.) Blanks are dropped because
    extractors disagree on where they put spaces and line breaks; the order of the characters,
    each digit, comma and letter, is kept.
    """
    pages = ("".join(unicodedata.normalize("NFKC", text).split()) for text in page_texts)
    return hashlib.sha256("\f".join(pages).encode("utf-8")).hexdigest()


def document_sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _payload(seal: Mapping[str, object]) -> bytes:
    return json.dumps(
        [seal.get(name) for name in SEALED_FIELDS], ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def _mac(secret: bytes, seal: Mapping[str, object]) -> str:
    return hmac.new(secret, _payload(seal), hashlib.sha256).hexdigest()


def seal_make(
    *,
    key: tuple[str, bytes],
    number: str,
    token: str,
    issued_on: str,
    editor: str,
    document: bytes,
    printed: str,
) -> dict[str, object]:
    """The seal of an issued quote; `document` is the attachment's exact bytes, `printed` the
    `printed_sha256` of the rendered pages."""
    key_id, secret = key
    seal: dict[str, object] = {
        "version": SEAL_VERSION,
        "algorithm": SEAL_ALGORITHM,
        "key_id": key_id,
        "number": number,
        "token": token,
        "issued_on": issued_on,
        "editor": editor,
        "document_sha256": document_sha256(document),
        "printed_sha256": printed,
    }
    seal["signature"] = _mac(secret, seal)
    return seal


def seal_check(
    seal: object,
    *,
    keys: Iterable[tuple[str, bytes]],
    document: bytes | None,
    printed: str | None,
) -> SealCheck:
    """Believe the attachment only when the seal is ours, unchanged, and names both the
    attachment's bytes and the printed text as they are now.

    `document`: the attached quote document's bytes (None: absent); `printed`: the
    `printed_sha256` of the file's pages now (None: not computed, never trusted).
    """
    if seal is None:
        return SealCheck(SealOutcome.NO_SEAL)
    if not isinstance(seal, dict) or not all(
        isinstance(seal.get(name), str) for name in (*SEALED_FIELDS[2:], "signature")
    ):
        return SealCheck(SealOutcome.MALFORMED)
    if seal.get("version") != SEAL_VERSION or seal.get("algorithm") != SEAL_ALGORITHM:
        return SealCheck(SealOutcome.MALFORMED, seal)
    secret = dict(keys).get(str(seal["key_id"]))
    if secret is None:
        return SealCheck(SealOutcome.UNKNOWN_KEY, seal)
    if not hmac.compare_digest(_mac(secret, seal), str(seal["signature"])):
        return SealCheck(SealOutcome.BAD_SIGNATURE, seal)
    if document is None or not hmac.compare_digest(document_sha256(document), str(seal["document_sha256"])):
        return SealCheck(SealOutcome.DOCUMENT_CHANGED, seal)
    if printed is None or not hmac.compare_digest(printed, str(seal["printed_sha256"])):
        return SealCheck(SealOutcome.PRINTED_CHANGED, seal)
    return SealCheck(SealOutcome.TRUSTED, seal)


# --- What differs between an attachment and the printed page ---------------------------------


def _total(lines: object, scope: str) -> Decimal | None:
    total = Decimal("0.00")
    for line in lines if isinstance(lines, list) else ():
        if not isinstance(line, dict) or line.get("scope") != scope:
            continue
        try:
            total += Decimal(str(line.get("amount_ttc")))
        except (InvalidOperation, ValueError):
            return None
    return total


def _eur(value: Decimal | None) -> str:
    if value is None:
        return "illisible"
    whole, _, cents = f"{value:,.2f}".partition(".")
    return f"{whole.replace(',', ' ')},{cents} €"


def _labels(lines: object) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines if isinstance(lines, list) else ():
        if isinstance(line, dict) and isinstance(line.get("label"), str) and line["label"].strip():
            out.setdefault(normalise(line["label"]), line["label"].strip())
    return out


def _texts(document: Mapping[str, object], key: str) -> dict[str, str]:
    value = document.get(key)
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return {normalise(item): item.strip() for item in items if isinstance(item, str) and item.strip()}


def _quoted(texts: Iterable[str], limit: int = 3) -> str:
    texts = list(texts)
    shown = ", ".join(f"« {text[:80]} »" for text in texts[:limit])
    return shown + (f" (et {len(texts) - limit} autre(s))" if len(texts) > limit else "")


def attachment_differences(attached: Mapping[str, object], printed: Mapping[str, object]) -> list[str]:
    """What the attached document says that the printed page does not, in plain French.

    Compared on what decides a verdict: the totals per scope, the line labels (normalised:
    accents, case and punctuation never count as a difference), the conditions. A label whose
    text wraps differently on the page still matches; a label present on one side only does not.
    """
    out = []
    for scope, name in (
        ("segur", "total de la Prestation Ségur"),
        ("state_funding", "prise en charge de l'État"),
        ("out_of_scope", "total hors Ségur"),
    ):
        mine, theirs = _total(attached.get("lines"), scope), _total(printed.get("lines"), scope)
        if mine != theirs:
            out.append(f"{name} : {_eur(mine)} dans la pièce jointe, {_eur(theirs)} sur la page imprimée")
    attached_labels, printed_labels = _labels(attached.get("lines")), _labels(printed.get("lines"))
    only_printed = [text for key, text in printed_labels.items() if key not in attached_labels]
    only_attached = [text for key, text in attached_labels.items() if key not in printed_labels]
    if only_printed:
        out.append(f"lignes imprimées absentes de la pièce jointe : {_quoted(only_printed)}")
    if only_attached:
        out.append(f"lignes de la pièce jointe absentes de la page imprimée : {_quoted(only_attached)}")
    attached_conditions, printed_conditions = _texts(attached, "conditions"), _texts(printed, "conditions")
    extra = [text for key, text in printed_conditions.items() if key not in attached_conditions]
    if extra:
        out.append(f"conditions imprimées absentes de la pièce jointe : {_quoted(extra)}")
    return out


def attachment_findings(
    check: SealCheck, *, name: str, attached: Mapping[str, object], printed: Mapping[str, object]
) -> tuple[Finding, ...]:
    """The warnings of a PDF whose attached document was not believed (the printed page was
    read instead): why it was not believed, and what it says differently from the page."""
    differences = attachment_differences(attached, printed)
    out = []
    if check.outcome is not SealOutcome.PRINTED_CHANGED:
        out.append(
            Finding(
                code=FindingCode.UNTRUSTED_ATTACHMENT,
                severity=Severity.WARNING,
                line=None,
                message=f"La pièce jointe {name} de ce PDF n'est pas reconnue : {check.reason}. "
                "Le devis a été vérifié sur son texte imprimé, celui que vous signez.",
            )
        )
    if check.outcome is SealOutcome.PRINTED_CHANGED or differences:
        if check.outcome is SealOutcome.PRINTED_CHANGED:
            lead = (
                f"La pièce jointe {name} signée par la plateforme ne correspond pas au texte "
                "imprimé de ce PDF (page modifiée depuis l'émission, ou pièce jointe copiée dans "
                "un autre PDF)"
            )
        else:
            lead = f"La pièce jointe {name} ne dit pas la même chose que la page imprimée"
        detail = f" : {' ; '.join(differences)}." if differences else "."
        out.append(
            Finding(
                code=FindingCode.ATTACHMENT_MISMATCH,
                severity=Severity.WARNING,
                line=None,
                message=lead + detail + " Seul le texte imprimé a été vérifié.",
            )
        )
    return tuple(out)
