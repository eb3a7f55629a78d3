"""Deployment checks (`manage.py check --deploy`): demo data never reaches production.

`make setup` loads the demo world (accounts with a published password, among them a superuser);
a database filled that way and then served with the production settings is an open door. Outside
demo mode these checks fail the deployment checklist while demo accounts, demo organisations or
the demo funding window exist; the login guard (organizations.backends) refuses the accounts
meanwhile. They read organisations, users and funding windows together, so they live in the top
layer (dashboard, which reads every app), registered by its AppConfig.
"""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connection

from segur_funding.organizations.demo import demo_organization_filter, demo_user_filter

SHOWN = 5


def _listed(values: list[str]) -> str:
    shown = ", ".join(values[:SHOWN])
    return shown + (f" et {len(values) - SHOWN} autre(s)" if len(values) > SHOWN else "")


HINT = (
    "Cette base a été remplie par `make setup` (mode démo). Déployez sur une base neuve avec "
    "`make deploy`, qui ne charge jamais la démonstration, ou supprimez ces données."
)


@checks.register(checks.Tags.security, deploy=True)
def check_no_demo_data(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if settings.SEGUR_DEMO_MODE:
        return []
    from segur_funding.organizations.models import Organization, User
    from segur_funding.quotes.demo import DEMO_WINDOW_LABEL, DEMO_WINDOW_NUMBER
    from segur_funding.referential.models import FundingWindow

    try:
        tables = set(connection.introspection.table_names())
    except DatabaseError as exc:
        return [
            checks.Warning(
                "Base de données injoignable : l'absence de données de démonstration n'a pas pu "
                f"être vérifiée ({exc}).",
                id="segur.W001",
            )
        ]
    errors: list[checks.CheckMessage] = []
    if User._meta.db_table in tables:
        users = User.objects.filter(demo_user_filter()).order_by("email")
        emails = list(users.values_list("email", flat=True))
        if emails:
            errors.append(
                checks.Error(
                    f"{len(emails)} compte(s) de démonstration en production : {_listed(emails)}. "
                    "Leur mot de passe est public ; leurs connexions sont refusées.",
                    hint=HINT,
                    id="segur.E001",
                )
            )
    if Organization._meta.db_table in tables:
        organizations = Organization.objects.filter(demo_organization_filter()).order_by("name")
        names = list(organizations.values_list("name", flat=True))
        if names:
            errors.append(
                checks.Error(
                    f"{len(names)} organisation(s) de démonstration en production : {_listed(names)}.",
                    hint=HINT,
                    id="segur.E002",
                )
            )
    if FundingWindow._meta.db_table in tables:
        demo_windows = FundingWindow.objects.filter(number=DEMO_WINDOW_NUMBER, label=DEMO_WINDOW_LABEL)
        if demo_windows.exists():
            errors.append(
                checks.Error(
                    f"La fenêtre de financement de démonstration (n° {DEMO_WINDOW_NUMBER}) existe en "
                    "production : des devis seraient contrôlés avec des dates inventées.",
                    hint=HINT,
                    id="segur.E003",
                )
            )
    return errors
