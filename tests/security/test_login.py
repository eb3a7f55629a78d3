"""Brute force on the login forms (site and admin): django-axes, 10 failures per e-mail + IP.

The lockout answers 429 with the login page and a French message; it holds for 15 minutes, even
with the right password, and only for that address from that client.
"""

from datetime import timedelta
from html import unescape

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from segur_funding.organizations.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "un-mot-de-passe-solide-42"
LIMIT = 10


@pytest.fixture
def person():
    user = User.objects.create_user("martine@labo.example", PASSWORD)
    return user


@pytest.fixture
def reviewer():
    return User.objects.create_user("revue@ans.example", PASSWORD, is_staff=True)


def _login(client, email, password, *, ip="203.0.113.7", admin=False):
    url = "/admin/login/" if admin else "/connexion/"
    return client.post(url, {"username": email, "password": password}, REMOTE_ADDR=ip)


def _fail(client, email, times, **kwargs):
    return [_login(client, email, "mauvais", **kwargs).status_code for _ in range(times)]


def test_ten_failures_lock_the_address_out_with_a_french_message(client, person):
    assert _fail(client, person.email, LIMIT - 1) == [200] * (LIMIT - 1)
    response = _login(client, person.email, "mauvais")
    assert response.status_code == 429
    page = unescape(response.content.decode())
    assert "Trop de tentatives de connexion infructueuses" in page
    assert "15 minutes" in page
    assert '<form method="post"' in page  # the login page itself, not a bare error
    # Even the right password is refused during the lockout, and no session is opened.
    response = _login(client, person.email, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_nine_failures_do_not_lock_and_a_success_resets_the_count(client, person):
    _fail(client, person.email, LIMIT - 1)
    assert _login(client, person.email, PASSWORD).status_code == 302
    client.logout()
    _fail(client, person.email, LIMIT - 1)  # counting starts again from zero
    assert _login(client, person.email, PASSWORD).status_code == 302


def test_lockout_is_per_address_and_client(client, person):
    _fail(client, person.email, LIMIT)
    assert _login(client, person.email, PASSWORD).status_code == 429
    # The same person from another network, or another account from this one, still logs in:
    # an attacker cannot lock a real user out from elsewhere.
    assert _login(client, person.email, PASSWORD, ip="198.51.100.20").status_code == 302
    client.logout()
    other = User.objects.create_user("autre@labo.example", PASSWORD)
    assert _login(client, other.email, PASSWORD).status_code == 302


def test_case_variants_of_the_address_count_together(client, person):
    for i in range(LIMIT):
        variant = person.email.upper() if i % 2 else f"  {person.email.title()} "
        _login(client, variant, "mauvais")
    assert _login(client, person.email, PASSWORD).status_code == 429


def test_lockout_ends_after_fifteen_minutes(client, person):
    _fail(client, person.email, LIMIT)
    assert _login(client, person.email, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _login(client, person.email, PASSWORD).status_code == 302


def test_admin_login_is_locked_too_with_the_admin_page(client, reviewer):
    _fail(client, reviewer.email, LIMIT - 1, admin=True)
    response = _login(client, reviewer.email, "mauvais", admin=True)
    assert response.status_code == 429
    page = unescape(response.content.decode())
    assert "Trop de tentatives de connexion infructueuses" in page
    assert 'id="login-form"' in page
    assert _login(client, reviewer.email, PASSWORD, admin=True).status_code == 429


def test_failures_on_the_site_and_the_admin_add_up(client, reviewer):
    _fail(client, reviewer.email, 5)
    _fail(client, reviewer.email, 5, admin=True)
    assert _login(client, reviewer.email, PASSWORD, admin=True).status_code == 429


def test_attempts_are_recorded_without_the_password(client, person):
    _fail(client, person.email, 2)
    attempt = AccessAttempt.objects.get()
    assert attempt.username == person.email
    assert attempt.failures_since_start == 2
    assert "mauvais" not in attempt.post_data


# --- One address across many accounts (issue 16) ------------------------------------------------

ADDRESS_LIMIT = 30


def test_one_address_trying_passwords_on_many_accounts_is_locked_out(client):
    accounts = [User.objects.create_user(f"compte{i}@labo.example", PASSWORD) for i in range(5)]
    # Nine failures per account stay under the per-account limit; 30 in all from one address do not.
    statuses = []
    for account in accounts[:4]:
        statuses += _fail(client, account.email, LIMIT - 1)
    assert statuses[: ADDRESS_LIMIT - 1] == [200] * (ADDRESS_LIMIT - 1)
    assert statuses[ADDRESS_LIMIT - 1] == 429
    page = unescape(_login(client, accounts[4].email, PASSWORD).content.decode())
    assert "Trop de tentatives de connexion infructueuses depuis votre adresse" in page
    assert "_auth_user_id" not in client.session
    # The same account from another network signs in: only the address is locked.
    assert _login(client, accounts[4].email, PASSWORD, ip="198.51.100.20").status_code == 302


def test_the_address_lockout_ends_after_fifteen_minutes(client):
    accounts = [User.objects.create_user(f"compte{i}@labo.example", PASSWORD) for i in range(4)]
    for account in accounts:
        _fail(client, account.email, 8)
    assert _login(client, accounts[0].email, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _login(client, accounts[0].email, PASSWORD).status_code == 302


# --- Identifiers no address can have -----------------------------------------------------------

LONG_EMAIL = "a" * 250 + "@labo.example"  # 263 characters


def _long_identifier_refused(client):
    for admin in (False, True):
        response = _login(client, LONG_EMAIL, "mauvais", admin=admin)
        assert response.status_code == 200
        assert "L'adresse e-mail ne peut pas dépasser 254 caractères" in unescape(response.content.decode())
    assert not AccessAttempt.objects.exists()


def test_an_over_long_identifier_is_refused_in_french_before_being_counted(client):
    _long_identifier_refused(client)


@pytest.mark.postgresql
def test_an_over_long_identifier_is_no_server_error_on_postgresql(client):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.fail("Test PostgreSQL : lancer avec DATABASE_URL=postgres://… (marqueur postgresql).")
    # axes' attempt log is a varchar(255): PostgreSQL refused the insert, the login answered 500.
    _long_identifier_refused(client)
