"""Public verification links printed on the documents the platform issues (quotes, referencing
certificates): a random token, its short URL and the URL's QR code.

The token, not the id: a third party holding the document can check it, nobody can walk through
the others. 12 random bytes (96 bits) make a 16-character URL-safe token.
"""

import secrets

from django.conf import settings
from django.urls import reverse


def verification_token_new() -> str:
    return secrets.token_urlsafe(12)


def verification_url(token: str) -> str:
    """The absolute short URL of a document's public verification page."""
    return settings.SEGUR_SITE_URL.rstrip("/") + reverse("verify_token", args=[token])


def qr_svg_data_uri(url: str) -> str:
    """The QR code of `url` as an SVG data URI, for an <img> in a WeasyPrint template."""
    import segno  # only the PDF renderers need it

    return segno.make(url, error="m").svg_data_uri(scale=3, border=2)
