"""Issue 15: the second factor's pages of the admin speak French, and never show a secret."""

import re
from html import unescape

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from segur_funding.organizations.models import User

pytestmark = pytest.mark.django_db

# django-otp's English, as its own admin pages showed it.
ENGLISH = re.compile(
    r"TOTP device|Static device|static token|Otp_totp|Otp_static|Identity|Timestamps"
    r"|Throttling|Created at|Last used at|Confirmed|QR Code|qrcode|Tolerance|Drift|Digits|\bConfiguration\b"
    r"|Throttling failure|The user that|human-readable|\bKey\b|\bStep\b|\bUser\b|\bName\b|Token",
)


@pytest.fixture
def admin_user() -> User:
    return User.objects.create_superuser("admin@segur.example.fr", "mot-de-passe-admin")


@pytest.fixture
def devices(admin_user):
    reviewer = User.objects.create_user("instructrice@asp.example.fr", "x", is_staff=True)
    totp = TOTPDevice.objects.create(
        user=reviewer, name="Téléphone", confirmed=True, throttling_failure_count=2
    )
    backup = StaticDevice.objects.create(user=reviewer, name="Codes de secours", confirmed=True)
    StaticToken.objects.create(device=backup, token="secret12")
    return totp, backup


def _visible_text(html: str) -> str:
    """The page as read: without scripts, styles and tags (attribute values and URLs, which a
    reader does not see, hold app labels such as « otp_totp »)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_every_second_factor_page_of_the_admin_reads_french(client, admin_user, devices):
    totp, backup = devices
    client.force_login(admin_user)
    pages = {
        "/admin/": "Double authentification : applications",
        "/admin/otp_totp/": "Applications d'authentification",
        "/admin/otp_totp/totpdevice/": "instructrice@asp.example.fr",
        f"/admin/otp_totp/totpdevice/{totp.pk}/change/": "Codes faux d'affilée",
        f"/admin/otp_totp/totpdevice/{totp.pk}/delete/": "application d'authentification",
        "/admin/otp_static/staticdevice/": "Codes de secours restants",
        f"/admin/otp_static/staticdevice/{backup.pk}/change/": "Codes de secours restants",
        f"/admin/otp_static/staticdevice/{backup.pk}/delete/": "1 code(s) de secours",
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        if url == "/admin/":
            # The index: the second factor's two sections (the other apps have their own tests).
            html = " ".join(re.findall(r'<div class="app-otp_\w+ module.*?</div>', html, flags=re.S))
        text = _visible_text(html)
        assert expected in text, url
        assert not ENGLISH.findall(text), (url, ENGLISH.findall(text))
        # The secret and the backup codes never appear.
        assert totp.key not in response.content.decode() and "secret12" not in text, url


def test_a_device_is_deleted_not_added_nor_edited_in_the_admin(client, admin_user, devices):
    totp, _backup = devices
    client.force_login(admin_user)
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    page = client.get(f"/admin/otp_totp/totpdevice/{totp.pk}/change/").content.decode()
    assert "Enregistrer" not in page and "2, le dernier le" in page
    response = client.post(f"/admin/otp_totp/totpdevice/{totp.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=totp.pk).exists()
