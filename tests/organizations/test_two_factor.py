"""Second factor of the people who reach the admin (ANS / ASP reviewers, administrators): TOTP
enrolment with a QR code, the code after the password, backup codes; API keys unaffected.

These tests sign in through the login forms, as people do (`force_login` in other tests passes
the second factor for them, tests/conftest.py)."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from segur_funding.organizations.constants import ASP_REVIEWERS_GROUP
from segur_funding.organizations.models import User
from segur_funding.organizations.rules import otp_code_normalized, totp_secret_display
from segur_funding.organizations.services import api_token_create, reviewer_groups_setup
from segur_funding.organizations.two_factor import WRONG_CODE, totp_next_code

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-instructeur"
SETUP = "/compte/double-authentification/activer/"
VERIFY = "/compte/double-authentification/code/"


@pytest.fixture
def reviewer() -> User:
    groups = reviewer_groups_setup()
    user = User.objects.create_user("instructeur@asp.example.fr", PASSWORD, is_staff=True)
    user.groups.add(groups[ASP_REVIEWERS_GROUP])
    return user


def _sign_in(client, email: str, password: str = PASSWORD, *, url: str = "/connexion/", next_url: str = ""):
    data = {"username": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


def _enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return totp_next_code(device)


def test_first_login_leads_to_enrolment_with_a_qr_code_and_the_secret_in_french(client, reviewer):
    response = _sign_in(client, reviewer.email, next_url="/admin/")
    assert response.status_code == 302
    # The password is right, but the admin is not open yet: enrolment first.
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Activer la double authentification" in html
    assert 'src="data:image/svg+xml' in html  # the QR code
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    assert totp_secret_display(device.key) in html  # the secret also as text
    # Reloading the page keeps the same secret (the person may be scanning it).
    client.get(SETUP)
    assert TOTPDevice.objects.get(user=reviewer).key == device.key


def test_enrolment_confirmed_by_a_code_opens_the_admin_and_shows_backup_codes_once(client, reviewer):
    _sign_in(client, reviewer.email)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=reviewer)
    response = client.post(SETUP, {"code": _code(device), "next": "/admin/"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    codes = page.context["new_codes"]
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", code) for code in codes)
    assert codes[0] in page.content.decode()
    assert client.get(response["Location"]).context["new_codes"] is None  # shown once
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_a_wrong_code_is_refused_in_french_at_enrolment_and_at_login(client, reviewer):
    _sign_in(client, reviewer.email)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=reviewer)
    wrong = f"{(int(totp_next_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP, {"code": wrong})
    assert response.status_code == 200
    assert escape(WRONG_CODE) in response.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    device.confirmed = True
    device.save()
    client.logout()
    _sign_in(client, reviewer.email)
    response = client.post(VERIFY, {"code": "12 34 5x"})
    assert response.status_code == 200
    assert "Code incorrect" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert client.get("/admin/")["Location"].startswith(VERIFY)


def test_failed_codes_make_the_next_try_wait(client, reviewer):
    device = _enrolled(reviewer)
    _sign_in(client, reviewer.email)
    client.post(VERIFY, {"code": "000000" if _code(device) != "000000" else "111111"})
    # Even the right code waits for the throttle delay after a failure (1 s, then 2 s, 4 s…).
    response = client.post(VERIFY, {"code": _code(device)})
    assert response.status_code == 200
    assert "Trop de codes incorrects : réessayez dans" in response.content.decode()


def test_admin_is_unreachable_without_the_code_whatever_the_door(client, reviewer):
    device = _enrolled(reviewer)
    # The admin's own login form: the password alone leads to the code page.
    response = _sign_in(client, reviewer.email, url="/admin/login/?next=/admin/", next_url="/admin/")
    assert response.status_code == 302
    for url in ("/admin/", "/admin/funding/fundingrequest/", "/compte/jeton-api/", "/mon-espace/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{VERIFY}?next={url.replace('/', '%2F')}"
    # Nor can the session enrol a second authenticator in place of the reviewer's phone.
    assert client.get(SETUP)["Location"].startswith(VERIFY)
    # The API treats the session as anonymous.
    assert client.get("/api/asp/funding-requests/").status_code in (401, 403)

    response = client.post(VERIFY, {"code": _code(device), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/asp/funding-requests/").status_code == 200


def test_the_session_key_changes_when_the_code_is_given(client, reviewer):
    device = _enrolled(reviewer)
    _sign_in(client, reviewer.email)
    before = client.session.session_key
    client.post(VERIFY, {"code": _code(device)})
    assert client.session.session_key != before


def test_a_code_is_accepted_once(client, reviewer):
    device = _enrolled(reviewer)
    code = _code(device)
    assert int(code) == TOTP(device.bin_key).token()  # a new device: its code is the current one
    _sign_in(client, reviewer.email)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    other = type(client)()
    _sign_in(other, reviewer.email)
    response = other.post(VERIFY, {"code": code})
    assert response.status_code == 200 and "Code incorrect" in response.content.decode()
    assert other.get("/admin/")["Location"].startswith(VERIFY)


def test_a_backup_code_works_once(client, reviewer):
    _enrolled(reviewer)
    from segur_funding.organizations.two_factor import backup_codes_renew

    codes = backup_codes_renew(user=reviewer)
    _sign_in(client, reviewer.email)
    assert client.post(VERIFY, {"code": codes[0].upper()}).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(device__user=reviewer).count() == 9
    client.logout()
    _sign_in(client, reviewer.email)
    assert client.post(VERIFY, {"code": codes[1]}).status_code == 302
    client.logout()
    _sign_in(client, reviewer.email)
    assert "Code incorrect" in client.post(VERIFY, {"code": codes[0]}).content.decode()
    assert client.get("/admin/")["Location"].startswith(VERIFY)


def test_backup_codes_can_be_renewed_and_the_old_ones_stop_working(client, reviewer):
    client.force_login(reviewer)
    from segur_funding.organizations.two_factor import backup_codes_renew

    old = backup_codes_renew(user=reviewer)
    response = client.post(reverse("organizations:two_factor"), {"action": "renew"})
    new = client.get(response["Location"]).context["new_codes"]
    assert len(new) == 10 and not set(old) & set(new)
    assert StaticToken.objects.filter(device__user=reviewer, token=old[0]).count() == 0


def test_people_without_admin_access_are_never_asked_for_a_code(client):
    User.objects.create_user("labo@tilleuls.example", PASSWORD)
    _sign_in(client, "labo@tilleuls.example")
    assert client.get("/mon-espace/").status_code == 200
    assert client.get(SETUP).status_code == 404


def test_api_keys_of_reviewers_keep_working_without_a_session(reviewer):
    key = api_token_create(user=reviewer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/me/").status_code == 200
    assert api.get("/api/asp/funding-requests/").status_code == 200


def test_demo_reviewers_are_enrolled_and_shown_their_code_in_demo_mode_only(client, settings):
    from segur_funding.organizations.demo import demo_accounts_load

    accounts = demo_accounts_load()
    asp = accounts.users["asp"]
    assert TOTPDevice.objects.filter(user=asp, confirmed=True).exists()
    assert not TOTPDevice.objects.filter(user=accounts.users["labo"]).exists()
    _sign_in(client, asp.email, "demo-password")
    page = client.get(VERIFY)
    shown = re.search(r'id="demo-code">(\d{6})<', page.content.decode()).group(1)
    assert client.post(VERIFY, {"code": shown}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_code_is_read_with_spaces_and_refused_when_it_cannot_be_one():
    assert otp_code_normalized(" 123 456 ") == "123456"
    assert otp_code_normalized("ABCD-EFGH") == "abcdefgh"
    assert otp_code_normalized("") is None
    assert otp_code_normalized("١٢٣٤٥٦") is None  # Arabic-Indic digits: not a code
    assert otp_code_normalized("9" * 40) is None
