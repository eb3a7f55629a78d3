"""Virus scanning through clamd (INSTREAM), when the deployment configures a socket.

settings.SEGUR_CLAMD_SOCKET: a Unix socket path ("/run/clamav/clamd.ctl") or "host:port".
Without it there is no scanner, and callers must say so ("non analysé") rather than pretend.
"""

import socket
import struct
from dataclasses import dataclass
from typing import IO

from django.conf import settings

CHUNK = 64 * 1024
TIMEOUT_SECONDS = 120


class ScannerUnavailable(Exception):
    """clamd could not be reached or answered nonsense: try again later."""


@dataclass(frozen=True, slots=True)
class ScanResult:
    clean: bool
    detail: str


def scanner_configured() -> bool:
    return bool(getattr(settings, "SEGUR_CLAMD_SOCKET", None))


def _connect(address: str) -> socket.socket:
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(TIMEOUT_SECONDS)
        sock.connect(address)
        return sock
    host, _, port = address.rpartition(":")
    return socket.create_connection((host, int(port)), timeout=TIMEOUT_SECONDS)


def scan_stream(fileobj: IO[bytes]) -> ScanResult:
    """Send the file to clamd with INSTREAM and read its verdict."""
    address = getattr(settings, "SEGUR_CLAMD_SOCKET", None)
    if not address:
        raise ScannerUnavailable("Aucun antivirus n'est configuré.")
    try:
        with _connect(str(address)) as sock:
            sock.sendall(b"zINSTREAM\0")
            while chunk := fileobj.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                data = sock.recv(4096)
                if not data:
                    break
                reply += data
    except OSError as exc:
        raise ScannerUnavailable(f"Antivirus injoignable : {exc}") from exc
    text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    # "stream: OK" | "stream: Eicar-Signature FOUND" | "INSTREAM size limit exceeded. ERROR"
    if text.endswith(" OK"):
        return ScanResult(clean=True, detail="")
    if text.endswith(" FOUND"):
        return ScanResult(clean=False, detail=text.removeprefix("stream: ").removesuffix(" FOUND"))
    raise ScannerUnavailable(f"Réponse inattendue de l'antivirus : {text[:200]}")
