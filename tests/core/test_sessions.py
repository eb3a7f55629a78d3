"""Sessions end after an idle time (30 minutes for staff, 2 hours otherwise) and 12 hours after
the login however active; the login page then says why."""

from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from segur_funding.core import clock
from segur_funding.organizations.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "un-mot-de-passe-solide-42"
START = timezone.make_aware(timezone.datetime(2026, 3, 2, 8, 0))
ACCOUNT_PAGE = "/compte/jeton-api/"


def _at(minutes: float):
    return clock.travel_to(START + timedelta(minutes=minutes))


def _sign_in(client, email: str) -> None:
    with _at(0):
        response = client.post("/connexion/", {"username": email, "password": PASSWORD})
        assert response.status_code == 302
        user = User.objects.get(email=email)
        if user.is_staff:  # reviewers give their TOTP code after the password
            from django_otp.plugins.otp_totp.models import TOTPDevice

            from segur_funding.organizations.two_factor import totp_next_code

            device = TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
            code = client.post("/compte/double-authentification/code/", {"code": totp_next_code(device)})
            assert code.status_code == 302


@pytest.fixture
def reviewer():
    return User.objects.create_user("revue@ans.example", PASSWORD, is_staff=True)


@pytest.fixture
def lab_user():
    return User.objects.create_user("martine@labo.example", PASSWORD)


def _signed_in(client, path: str = ACCOUNT_PAGE) -> bool:
    response = client.get(path)
    return response.status_code == 200


def test_a_reviewer_is_signed_out_after_thirty_idle_minutes(client, reviewer):
    _sign_in(client, reviewer.email)
    with _at(29):
        assert _signed_in(client, "/admin/")  # activity: the idle clock starts again
    with _at(29 + 29):
        assert _signed_in(client, "/admin/")
    with _at(29 + 29 + 31):
        response = client.get("/admin/")
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
        page = unescape(client.get(ACCOUNT_PAGE, follow=True).content.decode())
    assert "Votre session a expiré après 30 minutes d'inactivité" in page
    assert "_auth_user_id" not in client.session


def test_other_accounts_stay_signed_in_for_two_idle_hours(client, lab_user):
    _sign_in(client, lab_user.email)
    with _at(119):
        assert _signed_in(client)
    with _at(119 + 119):
        assert _signed_in(client)
    with _at(119 + 119 + 121):
        response = client.get(ACCOUNT_PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_a_session_ends_twelve_hours_after_the_login_however_active(client, lab_user):
    _sign_in(client, lab_user.email)
    for minutes in range(100, 12 * 60, 100):
        with _at(minutes):
            assert _signed_in(client)
    with _at(12 * 60):
        page = unescape(client.get(ACCOUNT_PAGE, follow=True).content.decode())
    assert "une connexion dure au plus 12 heures" in page
    assert "_auth_user_id" not in client.session


def test_an_expired_session_no_longer_opens_the_api(client, reviewer):
    _sign_in(client, reviewer.email)
    with _at(1):
        assert client.get("/api/me/").status_code == 200
    with _at(40):
        assert client.get("/api/me/").status_code in (401, 403)


def test_the_idle_timeout_is_a_setting(settings, client, lab_user):
    settings.SEGUR_SESSION_IDLE = timedelta(minutes=5)
    _sign_in(client, lab_user.email)
    with _at(6):
        assert not _signed_in(client)
