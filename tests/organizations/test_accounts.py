"""Ways in: an unknown lab or editor asks for an account, the right reviewer decides, the person
chooses a password from the e-mailed link; an organisation's administrator invites and revokes."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from segur_funding.organizations.constants import (
    ANS_REVIEWERS_GROUP,
    ASP_REVIEWERS_GROUP,
    AccountRequestStatus,
    OrganizationKind,
)
from segur_funding.organizations.models import AccountRequest, Membership, Organization, User
from segur_funding.organizations.services import reviewer_groups_setup

pytestmark = pytest.mark.django_db

LAB = {
    "kind": "client",
    "organization_name": "Laboratoire des Tilleuls",
    "siret": "443 061 841 00013",
    "client_kind": "city_lab",
    "geographic_sites": "3",
    "first_name": "Claire",
    "last_name": "Martin",
    "email": "Claire.Martin@tilleuls.example",
}
EDITOR = {
    "kind": "editor",
    "organization_name": "Logiciels du Sud",
    "siren": "732829320",
    "first_name": "Paul",
    "last_name": "Durand",
    "email": "paul@sud.example",
}


def _reviewer(group_name: str, email: str) -> User:
    groups = reviewer_groups_setup()
    user = User.objects.create_user(email=email, password="x" * 16, is_staff=True)
    user.groups.add(groups[group_name])
    return User.objects.get(pk=user.pk)


def _admin_action(client, reviewer, action, ids, **extra):
    client.force_login(reviewer)
    url = reverse("admin:organizations_accountrequest_changelist")
    return client.post(url, {"action": action, "_selected_action": ids, **extra}, follow=True)


def _link(message) -> str:
    return re.search(r"http://\S+/compte/activer/\S+/", message.body).group(0)


def test_lab_asks_asp_validates_and_the_lab_sets_its_password(client):
    response = client.post(reverse("organizations:account_request"), LAB)
    assert response.status_code == 302
    request = AccountRequest.objects.get()
    assert (request.siret, request.email, request.status) == (
        "44306184100013",
        "claire.martin@tilleuls.example",
        "pending",
    )
    assert "Et maintenant" in client.get(response.url).content.decode()

    asp = _reviewer(ASP_REVIEWERS_GROUP, "asp@test.example")
    page = _admin_action(client, asp, "approve", [request.pk])
    assert "compte ouvert, lien envoyé" in page.content.decode()

    lab = Organization.objects.get(siret="44306184100013")
    assert (lab.kind, lab.geographic_sites, lab.name) == (
        OrganizationKind.CLIENT,
        3,
        "Laboratoire des Tilleuls",
    )
    member = Membership.objects.get(organization=lab)
    assert member.is_admin and member.user.email == "claire.martin@tilleuls.example"
    assert not member.user.has_usable_password()

    (message,) = mail.outbox
    assert message.to == ["claire.martin@tilleuls.example"]
    client.logout()
    form_page = client.get(_link(message), follow=True)
    assert "Choisir votre mot de passe" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Tilleuls-2026-labo!", "new_password2": "Tilleuls-2026-labo!"},
        follow=True,
    )
    assert "Votre mot de passe est enregistré" in done.content.decode()
    login = client.post(
        reverse("login"), {"username": "claire.martin@tilleuls.example", "password": "Tilleuls-2026-labo!"}
    )
    assert login.status_code == 302
    # The link was spent with the password.
    client.logout()
    assert "plus valable" in client.get(_link(message), follow=True).content.decode()


def test_invalid_siret_or_siren_is_refused_in_french_and_nothing_is_stored(client):
    response = client.post(reverse("organizations:account_request"), {**LAB, "siret": "44306184100014"})
    assert response.status_code == 400
    assert "SIRET invalide" in response.content.decode()
    # The field in error is marked for screen readers and tied to its message.
    assert 'aria-invalid="true" aria-describedby="siret-error"' in response.content.decode()
    response = client.post(reverse("organizations:account_request"), {**EDITOR, "siren": "123"})
    assert "SIREN invalide" in response.content.decode()
    response = client.post(reverse("organizations:account_request"), {**LAB, "geographic_sites": ""})
    assert "nombre de sites" in response.content.decode()
    assert not AccountRequest.objects.exists()


def test_a_second_request_for_the_same_organisation_is_refused(client):
    client.post(reverse("organizations:account_request"), EDITOR)
    response = client.post(reverse("organizations:account_request"), {**EDITOR, "email": "autre@sud.example"})
    assert response.status_code == 400
    assert "déjà en cours d&#x27;examen" in response.content.decode()
    assert AccountRequest.objects.count() == 1


def test_asp_does_not_see_editor_requests_and_ans_decides_them(client):
    client.post(reverse("organizations:account_request"), EDITOR)
    request = AccountRequest.objects.get()
    asp = _reviewer(ASP_REVIEWERS_GROUP, "asp@test.example")
    client.force_login(asp)
    listing = client.get(reverse("admin:organizations_accountrequest_changelist"))
    assert "Logiciels du Sud" not in listing.content.decode()
    _admin_action(client, asp, "approve", [request.pk])
    assert AccountRequest.objects.get().status == AccountRequestStatus.PENDING

    ans = _reviewer(ANS_REVIEWERS_GROUP, "ans@test.example")
    _admin_action(client, ans, "approve", [request.pk])
    assert Organization.objects.get(siren="732829320").kind == OrganizationKind.EDITOR


def test_rejection_needs_a_reason_and_tells_the_requester(client):
    client.post(reverse("organizations:account_request"), LAB)
    request = AccountRequest.objects.get()
    asp = _reviewer(ASP_REVIEWERS_GROUP, "asp@test.example")
    page = _admin_action(client, asp, "reject", [request.pk])
    assert "Motif (obligatoire)" in page.content.decode()
    _admin_action(client, asp, "reject", [request.pk], confirm="yes", reason="")
    assert AccountRequest.objects.get().status == AccountRequestStatus.PENDING
    _admin_action(
        client, asp, "reject", [request.pk], confirm="yes", reason="SIRET d'un autre établissement."
    )
    assert AccountRequest.objects.get().status == AccountRequestStatus.REJECTED
    (message,) = mail.outbox
    assert "SIRET d'un autre établissement." in message.body
    assert not Organization.objects.exists()


def _lab_with_admin() -> tuple[Organization, User]:
    lab = Organization.objects.create(
        kind="client", name="Labo Nord", siret="44306184100013", geographic_sites=1
    )
    admin = User.objects.create_user(email="chef@nord.example", password="x" * 16)
    Membership.objects.create(user=admin, organization=lab, role="lab_member", is_admin=True)
    return lab, admin


def test_an_admin_invites_a_colleague_who_sets_a_password_then_revokes_them(client):
    lab, admin = _lab_with_admin()
    client.force_login(admin)
    url = reverse("organizations:members")
    response = client.post(
        url,
        {
            "organisation": lab.pk,
            "action": "invite",
            "email": "bio@nord.example",
            "first_name": "Ana",
            "last_name": "Bio",
        },
        follow=True,
    )
    assert "bio@nord.example est ajouté à Labo Nord" in response.content.decode()
    colleague = Membership.objects.get(organization=lab, user__email="bio@nord.example")
    assert not colleague.is_admin
    (message,) = mail.outbox
    assert "Labo Nord" in message.subject and _link(message)

    response = client.post(
        url, {"organisation": lab.pk, "action": "revoke", "membership": colleague.pk}, follow=True
    )
    assert "ne fait plus partie de Labo Nord" in response.content.decode()
    assert not Membership.objects.filter(pk=colleague.pk).exists()


def test_a_member_who_is_not_admin_cannot_invite_and_the_last_admin_stays(client):
    lab, admin = _lab_with_admin()
    member = User.objects.create_user(email="membre@nord.example", password="x" * 16)
    Membership.objects.create(user=member, organization=lab, role="lab_member")
    client.force_login(member)
    url = reverse("organizations:members")
    assert "adressez-vous à un administrateur" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "organisation": lab.pk,
            "action": "invite",
            "email": "x@nord.example",
            "first_name": "X",
            "last_name": "Y",
        },
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="x@nord.example").exists()

    client.force_login(admin)
    own = Membership.objects.get(user=admin)
    response = client.post(url, {"organisation": lab.pk, "action": "revoke", "membership": own.pk})
    assert response.status_code == 400
    assert "dernier administrateur" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()


def test_another_organisations_membership_cannot_be_revoked(client):
    lab, admin = _lab_with_admin()
    other = Organization.objects.create(
        kind="client", name="Labo Sud", siret="73282932000074", geographic_sites=1
    )
    victim = User.objects.create_user(email="v@sud.example", password="x" * 16)
    target = Membership.objects.create(user=victim, organization=other, role="lab_member", is_admin=True)
    client.force_login(admin)
    response = client.post(
        reverse("organizations:members"),
        {"organisation": lab.pk, "action": "revoke", "membership": target.pk},
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=target.pk).exists()


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    from django.core.cache import cache

    cache.clear()


def test_a_flood_of_requests_from_one_address_is_held_back(client):
    siret_numbers = [
        "73282932000017",
        "73282932000025",
        "73282932000033",
        "73282932000041",
        "73282932000058",
        "73282932000066",
    ]
    statuses = [
        client.post(reverse("organizations:account_request"), {**LAB, "siret": number}).status_code
        for number in siret_numbers
    ]
    assert statuses == [302] * 5 + [429]
    assert AccountRequest.objects.count() == 5
