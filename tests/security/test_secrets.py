"""No secret in the repository: the tracked files hold no private key, no cloud or API token,
and no password or secret key other than the documented demo password and test-only keys."""

import re
import subprocess
from pathlib import Path

from tests.conftest import ROOT

PATTERNS = {
    "clé privée": re.compile(rb"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"),
    "clé AWS": re.compile(rb"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "jeton GitHub": re.compile(rb"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "jeton Slack": re.compile(rb"\bxox[abpors]-[A-Za-z0-9-]{10,}\b"),
    "clé Google": re.compile(rb"\bAIza[0-9A-Za-z_-]{35}\b"),
    "clé Stripe": re.compile(rb"\b[sr]k_live_[0-9A-Za-z]{16,}\b"),
    "URL avec mot de passe": re.compile(rb"\b[a-z][a-z0-9+.-]*://[^\s:/@'\"]+:[^\s:/@'\"]{3,}@"),
    "mot de passe ou clé en dur": re.compile(
        rb"""(?ix)\b(?:secret_key|password|passwd|api_key|token|pwd)\b\s*[:=]\s*
             ['"]([^'"\s]{6,})['"]"""
    ),
}

# Values that are documented and harmless: the demo password (SPEC §5, refused outside demo
# mode), test-only keys and passwords in tests, and the README's example URLs.
ALLOWED_VALUES = {
    b"demo-password",
    b"test-only-key",
    b"dev-only-insecure-key-never-used-in-production",
}
ALLOWED_FILES = re.compile(r"^(tests|bench)/")  # fixtures' throwaway passwords and keys
BINARY = {".pdf", ".png", ".jpg", ".jpeg", ".xlsx", ".zip", ".ico", ".woff", ".woff2", ".mp4"}


def tracked_files() -> list[Path]:
    # The suite runs from a git checkout (make test, .ci/run): git lists what would be published.
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
    ).stdout
    return [ROOT / name for name in out.decode().split("\0") if name]


def test_no_secret_in_tracked_files():
    found = []
    for path in tracked_files():
        # This file holds the patterns themselves and samples they must find.
        if path.suffix.lower() in BINARY or not path.is_file() or path == Path(__file__).resolve():
            continue
        data = path.read_bytes()
        relative = path.relative_to(ROOT).as_posix()
        for label, pattern in PATTERNS.items():
            for match in pattern.finditer(data):
                value = match.group(match.lastindex or 0)
                if value in ALLOWED_VALUES:
                    continue
                if label == "mot de passe ou clé en dur" and ALLOWED_FILES.match(relative):
                    continue
                line = data[: match.start()].count(b"\n") + 1
                found.append(f"{relative}:{line} : {label}")
    assert not found, "Secrets possibles dans le dépôt :\n" + "\n".join(found)


def test_the_scanner_finds_what_it_looks_for():
    samples = {
        "clé privée": b"-----BEGIN RSA PRIVATE KEY-----\nMIIE",
        "clé AWS": b"aws = AKIAABCDEFGHIJKLMNOP",
        "URL avec mot de passe": b"postgres://segur:Sup3rSecret@db:5432/segur",
        "mot de passe ou clé en dur": b'SECRET_KEY = "k8s-7d1f9a0b2c3e"',
    }
    for label, sample in samples.items():
        assert PATTERNS[label].search(sample), label
    assert not PATTERNS["URL avec mot de passe"].search(b"postgres://postgres@127.0.0.1:5432/x")


def test_production_settings_take_their_secrets_from_the_environment():
    text = (ROOT / "segur_funding" / "settings" / "production.py").read_text()
    assert 'require(SECRET_KEY, "DJANGO_SECRET_KEY")' in text
    assert "SEGUR_DEMO_MODE = False" in text
