"""Demo data (SPEC §5): accounts, organisations and objects in various states. Idempotent.

Each domain app may add its own objects with a `demo.py` module exposing
`demo_load(*, accounts: DemoAccounts) -> Iterator[str]`; they run in the order of DEMO_MODULES.
"""

import importlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from segur_funding.organizations.constants import (
    ANS_REVIEWERS_GROUP,
    ASP_REVIEWERS_GROUP,
    ClientKind,
    OrganizationKind,
    Role,
)
from segur_funding.organizations.models import Organization, User
from segur_funding.organizations.services import membership_add, reviewer_groups_setup

from .rules import DEMO_EMAIL_DOMAIN

DEMO_PASSWORD = "demo-password"  # noqa: S105 - demo mode only, refused outside it
# The demo reviewers' TOTP secret (base32, as typed into an authenticator app), published in the
# README: demo accounts sign in only in demo mode, where the code page also shows the code.
DEMO_TOTP_SECRET = "SEGURDEMOSEGURDEMOSEGURDEMOSEGUR"  # noqa: S105
DEMO_MODULES = (
    "segur_funding.referencing.demo",
    "segur_funding.quotes.demo",
    "segur_funding.funding.demo",
    "segur_funding.notifications.demo",
    "segur_funding.alerts.demo",
)


# The demo organisations, as data: loaded by `demo_accounts_load`, looked for by the deployment
# check (dashboard.checks), which flags a row matching a name AND its identifier (a real company
# may share a name).
DEMO_ORGANIZATIONS: tuple[dict[str, object], ...] = (
    {
        "name": "Biologiciel SAS",
        "kind": OrganizationKind.EDITOR,
        "siren": "732829320",
        "address": "12 rue des Analyses, 69007 Lyon",
        "contact_email": "contact@biologiciel.demo.test",
    },
    {
        "name": "LabSoft Santé",
        "kind": OrganizationKind.EDITOR,
        "siren": "552081317",
        "address": "3 quai du Numérique, 33000 Bordeaux",
        "contact_email": "contact@labsoft.demo.test",
    },
    {
        "name": "Laboratoire BioRhône",
        "kind": OrganizationKind.CLIENT,
        "client_kind": ClientKind.CITY_LAB,
        "siret": "44306184000015",
        "geographic_sites": 12,
        "address": "5 avenue Berthelot, 69007 Lyon",
    },
    {
        "name": "Laboratoire du Littoral",
        "kind": OrganizationKind.CLIENT,
        "client_kind": ClientKind.CITY_LAB,
        "siret": "38012986000017",
        "geographic_sites": 1,
        "address": "1 place du Port, 17000 La Rochelle",
    },
)


@dataclass(frozen=True)
class DemoAccounts:
    editor: Organization
    editor2: Organization
    lab: Organization
    lab2: Organization
    users: dict[str, User]


def _user(email: str, *, first: str, last: str, staff: bool = False, superuser: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, first_name=first, last_name=last)
        user.set_password(DEMO_PASSWORD)
    user.is_staff = staff or superuser
    user.is_superuser = superuser
    user.save()
    return user


def _second_factor_enrolled(user: User) -> None:
    from base64 import b32decode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .two_factor import DEVICE_NAME

    TOTPDevice.objects.get_or_create(
        user=user,
        confirmed=True,
        defaults={"name": DEVICE_NAME, "key": b32decode(DEMO_TOTP_SECRET).hex()},
    )


def _org(name: str, **fields: object) -> Organization:
    org, _ = Organization.objects.get_or_create(name=name, defaults=fields)
    return org


@transaction.atomic
def demo_accounts_load() -> DemoAccounts:
    if not settings.SEGUR_DEMO_MODE:
        raise RuntimeError("Les comptes de démonstration n'existent qu'en mode démo.")
    groups = reviewer_groups_setup()
    editor, editor2, lab, lab2 = (_org(**spec) for spec in DEMO_ORGANIZATIONS)
    users = {
        "editeur": _user("editeur@demo.test", first="Élise", last="Martin"),
        "editeur2": _user("editeur2@demo.test", first="Hugo", last="Bernard"),
        "labo": _user("labo@demo.test", first="Claire", last="Dubois"),
        "labo2": _user("labo2@demo.test", first="Marc", last="Lefèvre"),
        "ans": _user("ans@demo.test", first="Inès", last="Roux", staff=True),
        "asp": _user("asp@demo.test", first="Paul", last="Moreau", staff=True),
        "admin": _user("admin@demo.test", first="Admin", last="Ségur", superuser=True),
    }
    membership_add(user=users["editeur"], organization=editor, role=Role.EDITOR_MEMBER, is_admin=True)
    membership_add(user=users["editeur2"], organization=editor2, role=Role.EDITOR_MEMBER, is_admin=True)
    membership_add(user=users["labo"], organization=lab, role=Role.LAB_MEMBER, is_admin=True)
    membership_add(user=users["labo2"], organization=lab2, role=Role.LAB_MEMBER, is_admin=True)
    users["ans"].groups.add(groups[ANS_REVIEWERS_GROUP])
    users["asp"].groups.add(groups[ASP_REVIEWERS_GROUP])
    for user in users.values():
        if user.is_staff:
            _second_factor_enrolled(user)
    return DemoAccounts(editor=editor, editor2=editor2, lab=lab, lab2=lab2, users=users)


def demo_data_load() -> Iterator[str]:
    accounts = demo_accounts_load()
    yield (
        "Comptes de démonstration prêts (mot de passe « demo-password ») : "
        + ", ".join(sorted(u.email for u in accounts.users.values()))
    )
    for module_name in DEMO_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        with transaction.atomic():
            yield from module.demo_load(accounts=accounts)


# --- What makes data « demo » (the deployment checks and create_first_admin read it) ----------


def demo_user_filter() -> Q:
    return Q(email__iendswith="@" + DEMO_EMAIL_DOMAIN) | Q(email__iendswith="." + DEMO_EMAIL_DOMAIN)


def demo_organization_filter() -> Q:
    query = Q(contact_email__iendswith="@" + DEMO_EMAIL_DOMAIN) | Q(
        contact_email__iendswith="." + DEMO_EMAIL_DOMAIN
    )
    for spec in DEMO_ORGANIZATIONS:
        identifiers = {key: spec[key] for key in ("siren", "siret") if spec.get(key)}
        query |= Q(name=spec["name"], **identifiers)
    return query
