"""Private file storage and upload checks (type from the content, size limits, archives).

Uploaded proofs are evidence a reviewer will open: the type is decided from the bytes, never
from the name or the browser's Content-Type, and a file that fails a check is refused before
anything is written to storage.
"""

import hashlib
import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.functional import cached_property

from .errors import InvalidInput

MB = 1024 * 1024
CHUNK = 1024 * 1024


class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT, read at use (tests point it at a temp dir).

    No URL: these files are handed out by permission-checked views only.
    """

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)

    @cached_property
    def base_url(self) -> None:  # type: ignore[override]
        return None

    def url(self, name: str | None) -> str:
        raise ValueError("Les fichiers privés n'ont pas d'URL publique.")


_private_storage = PrivateStorage()


def pdf_download(file: FieldFile, *, filename: str) -> FileResponse:
    """A stored PDF as an attachment named `filename`; 404 when there is no file."""
    if not file:
        raise Http404
    return FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
    )


def private_storage() -> PrivateStorage:
    """Callable storage for FileFields (keeps migrations free of paths)."""
    return _private_storage


# --- Kinds of files accepted as proofs ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileKind:
    code: str
    label: str
    content_type: str
    extensions: tuple[str, ...]
    max_bytes: int
    # Whether a browser may show it inline (preview); archives and XML are always downloaded.
    previewable: bool = False


PDF = FileKind("pdf", "PDF", "application/pdf", (".pdf",), 20 * MB, previewable=True)
PNG = FileKind("png", "PNG", "image/png", (".png",), 20 * MB, previewable=True)
JPEG = FileKind("jpeg", "JPEG", "image/jpeg", (".jpg", ".jpeg", ".jpe"), 20 * MB, previewable=True)
MP4 = FileKind("mp4", "MP4", "video/mp4", (".mp4", ".m4v"), 200 * MB, previewable=True)
XML = FileKind("xml", "XML", "application/xml", (".xml",), 20 * MB)
ZIP = FileKind("zip", "ZIP (IHE XDM)", "application/zip", (".zip",), 100 * MB)

PROOF_KINDS: tuple[FileKind, ...] = (PDF, PNG, JPEG, MP4, XML, ZIP)
KINDS_BY_CODE = {k.code: k for k in PROOF_KINDS}
MAX_UPLOAD_BYTES = max(k.max_bytes for k in PROOF_KINDS)

# ZIP archives: limits on what they expand to (zip bombs) and on their members.
ZIP_MAX_MEMBERS = 5_000
ZIP_MAX_UNCOMPRESSED = 500 * MB
ZIP_MAX_RATIO = 100

# ISO base media brands of MP4 video (ftyp box); QuickTime, HEIF and others are refused.
MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
    b"M4V ", b"M4VH", b"M4VP", b"dash", b"mmp4", b"msnv", b"f4v ",
}

# Signatures of programs: refused with their own message, whatever the name says.
EXECUTABLE_SIGNATURES = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",  # Linux
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"#!",  # scripts
    b"\x00asm",  # WebAssembly
)

ACCEPTED_LABEL = "PDF, PNG, JPEG, MP4, XML ou ZIP (IHE XDM)"


def human_size(n: int) -> str:
    if n >= MB:
        return f"{n / MB:.1f} Mo".replace(".", ",")
    if n >= 1024:
        return f"{n / 1024:.0f} Ko"
    return f"{n} octets"


def _xml_prologue(head: bytes) -> bool:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if b"\x00" in head:
        return False
    if text.startswith(b"<?xml"):
        return True
    # No prologue: still XML if it starts with an element (IHE metadata files sometimes do).
    return re.match(rb"<[A-Za-z_][\w.:-]*[\s>/]", text) is not None


def sniff(head: bytes) -> FileKind | None:
    """The kind of a file from its first bytes, or None when it is not an accepted kind."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return MP4
    if head.startswith(b"PK\x03\x04"):
        return ZIP
    if _xml_prologue(head):
        return XML
    return None


def is_executable(head: bytes) -> bool:
    return head.startswith(EXECUTABLE_SIGNATURES)


_UNSAFE = re.compile(r"[^\w\s.,()\[\]+-]", re.UNICODE)


def safe_filename(name: str, *, default_ext: str = "") -> str:
    """The user's file name without any path, control or shell characters, at most 150 chars."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = unicodedata.normalize("NFC", base)
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    base = _UNSAFE.sub("_", base)
    base = re.sub(r"\s+", " ", base).strip(" .")
    stem, ext = os.path.splitext(base)
    if len(base) > 150:
        base = stem[: 150 - len(ext)] + ext
    if not stem:
        base = "fichier" + (ext or default_ext)
    return base


@dataclass(frozen=True, slots=True)
class CheckedUpload:
    kind: FileKind
    original_name: str
    size: int
    sha256: str


def _chunks(fileobj: IO[bytes]) -> Iterable[bytes]:
    fileobj.seek(0)
    while chunk := fileobj.read(CHUNK):
        yield chunk


def _check_zip(fileobj: IO[bytes], *, compressed_size: int) -> None:
    """Refuse archives that are corrupt, encrypted, escape their folder or expand too much.

    Members are really decompressed (by chunks, with a budget): the sizes an archive declares
    can lie, and a reviewer's machine must not be the first to find out.
    """
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
            if not members:
                raise InvalidInput("L'archive ZIP est vide.")
            if len(members) > ZIP_MAX_MEMBERS:
                raise InvalidInput(
                    f"L'archive ZIP contient trop de fichiers ({len(members)}, maximum "
                    f"{ZIP_MAX_MEMBERS})."
                )
            declared = 0
            for info in members:
                _check_zip_member_name(info)
                if info.flag_bits & 0x1:
                    raise InvalidInput(
                        "L'archive ZIP est chiffrée : déposez une archive sans mot de passe."
                    )
                if stat.S_ISLNK(info.external_attr >> 16):
                    raise InvalidInput(
                        f"L'archive ZIP contient un lien symbolique (« {info.filename} ») : refusé."
                    )
                declared += info.file_size
            _check_expansion(declared, compressed_size)
            total = 0
            for info in members:
                if info.is_dir():
                    continue
                with archive.open(info) as member:
                    while chunk := member.read(CHUNK):
                        total += len(chunk)
                        _check_expansion(total, compressed_size)
    except InvalidInput:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
            NotImplementedError, RuntimeError):
        raise InvalidInput(
            "L'archive ZIP est illisible ou corrompue : vérifiez-la et déposez-la de nouveau."
        ) from None


def _check_expansion(uncompressed: int, compressed: int) -> None:
    if uncompressed > ZIP_MAX_UNCOMPRESSED or uncompressed > ZIP_MAX_RATIO * max(compressed, 1):
        raise InvalidInput(
            "L'archive ZIP se décompresse en un volume anormalement grand (bombe de "
            f"décompression) : refusée. Limite : {human_size(ZIP_MAX_UNCOMPRESSED)} et un taux "
            f"de compression de {ZIP_MAX_RATIO} pour 1."
        )


def _check_zip_member_name(info: zipfile.ZipInfo) -> None:
    name = info.filename
    posix = name.replace("\\", "/")
    parts = PurePosixPath(posix).parts
    if (
        not name
        or "\x00" in name
        or posix.startswith("/")
        or re.match(r"^[A-Za-z]:", posix)
        or ".." in parts
    ):
        raise InvalidInput(
            f"L'archive ZIP contient un chemin dangereux (« {name[:80]} ») qui sortirait du "
            "dossier de l'archive : refusée."
        )


def upload_check(
    fileobj: IO[bytes], *, name: str, size: int, kinds: tuple[FileKind, ...] = PROOF_KINDS
) -> CheckedUpload:
    """Check an uploaded file; InvalidInput with a French message when it must be refused.

    Reads the file object (seeking back to 0 at the end); writes nothing anywhere.
    """
    shown = safe_filename(name)
    if size <= 0:
        raise InvalidInput(f"Le fichier « {shown} » est vide.")
    limit = max(k.max_bytes for k in kinds)
    if size > limit:
        raise InvalidInput(
            f"Le fichier « {shown} » est trop volumineux ({human_size(size)}) : "
            f"{human_size(limit)} au maximum."
        )
    fileobj.seek(0)
    head = fileobj.read(4096)
    if not head:
        raise InvalidInput(f"Le fichier « {shown} » est vide.")
    if is_executable(head):
        raise InvalidInput(
            f"Le fichier « {shown} » est un programme exécutable : il ne peut pas être déposé, "
            "quel que soit son nom."
        )
    kind = sniff(head)
    if kind is None or kind not in kinds:
        raise InvalidInput(
            f"Le contenu du fichier « {shown} » n'est pas d'un type accepté ({ACCEPTED_LABEL}). "
            "Le type est reconnu d'après le contenu du fichier, pas d'après son nom."
        )
    ext = os.path.splitext(shown)[1].lower()
    if ext and ext not in kind.extensions:
        raise InvalidInput(
            f"Le nom du fichier « {shown} » ({ext}) ne correspond pas à son contenu "
            f"({kind.label}) : renommez-le en {kind.extensions[0]} s'il s'agit bien d'un "
            f"fichier {kind.label}."
        )
    if size > kind.max_bytes:
        raise InvalidInput(
            f"Le fichier « {shown} » est trop volumineux ({human_size(size)}) : "
            f"{human_size(kind.max_bytes)} au maximum pour un fichier {kind.label}."
        )
    if kind is ZIP:
        _check_zip(fileobj, compressed_size=size)
    digest = hashlib.sha256()
    actual = 0
    tail = b""
    for chunk in _chunks(fileobj):
        digest.update(chunk)
        actual += len(chunk)
        # Entity declarations are how XML bombs and external-entity reads work; proofs of
        # conformity (CDA, XDM metadata) never need them.
        if kind is XML and b"<!ENTITY" in (tail + chunk).upper():
            raise InvalidInput(
                f"Le fichier XML « {shown} » déclare des entités (<!ENTITY>) : refusé par sécurité."
            )
        tail = chunk[-16:]
    fileobj.seek(0)
    if actual == 0:
        raise InvalidInput(f"Le fichier « {shown} » est vide.")
    if actual > kind.max_bytes:
        raise InvalidInput(
            f"Le fichier « {shown} » est trop volumineux ({human_size(actual)}) : "
            f"{human_size(kind.max_bytes)} au maximum pour un fichier {kind.label}."
        )
    if not ext:
        shown = safe_filename(shown + kind.extensions[0])
    return CheckedUpload(kind=kind, original_name=shown, size=actual, sha256=digest.hexdigest())


def private_file_response(fieldfile, *, filename: str, content_type: str, inline: bool = False):
    """A stored private file (proof, invoice, RIB…) sent to someone already allowed to read it.

    Files uploaded by third parties: the browser must never run or sniff them. Chromium's PDF
    viewer refuses to run in a sandboxed document, so an inline PDF only loses framing.
    """
    from django.http import FileResponse

    response = FileResponse(
        fieldfile.open("rb"), as_attachment=not inline, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    if inline and content_type == "application/pdf":
        response["Content-Security-Policy"] = "frame-ancestors 'self'"
    else:
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
