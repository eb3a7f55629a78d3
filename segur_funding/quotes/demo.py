"""Demo quotes (SPEC §5), loaded by `manage.py load_demo_data`; idempotent.

The real biology windows closed in 2022, so the demo adds to the SGL-V1 and LOINC-V1 active
schemes a window of its own (number 99), with deadlines relative to the day of the load. It is
demo data only: it never appears in fixtures/reference.
"""

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

from segur_funding.core import clock
from segur_funding.organizations.models import Organization, User
from segur_funding.referencing.models import Dossier
from segur_funding.referential.models import FundingScheme, FundingWindow

from . import services
from .constants import Scope
from .models import Quote
from .services import LineInput

DEMO_WINDOW_NUMBER = 99
DEMO_WINDOW_LABEL = "Fenêtre de démonstration"
DEMO_DSRS = ("SGL-V1", "LOINC-V1")


def demo_window_ensure(*, today: date) -> list[FundingWindow]:
    windows = []
    for scheme in FundingScheme.objects.filter(dsr__code__in=DEMO_DSRS, is_active=True):
        window, _ = FundingWindow.objects.update_or_create(
            scheme=scheme,
            number=DEMO_WINDOW_NUMBER,
            defaults={
                "label": DEMO_WINDOW_LABEL,
                "opens_on": today - timedelta(days=30),
                "order_signature_deadline": today + timedelta(days=60),
                "advance_request_deadline": today + timedelta(days=120),
                "service_completion_deadline": today + timedelta(days=200),
                "balance_request_deadline": today + timedelta(days=300),
                "source": "Données de démonstration : dates relatives au jour du chargement.",
            },
        )
        windows.append(window)
    return windows


def _dossier(editor: Organization, *, referenced: bool) -> Dossier | None:
    qs = Dossier.objects.filter(editor=editor, dsr__code="SGL-V1").order_by("-referenced_on", "pk")
    if referenced:
        qs = qs.filter(referenced_on__isnull=False)
    return qs.first()


def _fallback_referenced_dossier(editor: Organization, user: User, *, today: date) -> Dossier:
    """A referenced SGL-V1 dossier for the demo editor when the referencing demo made none, so
    that the quote journey can always be shown (the referencing app owns the real ones)."""
    from segur_funding.referencing.constants import DossierStatus
    from segur_funding.referencing.models import Solution, SolutionVersion
    from segur_funding.referential.models import Dsr

    solution, _ = Solution.objects.get_or_create(editor=editor, name="BioLab SGL")
    version, _ = SolutionVersion.objects.get_or_create(
        solution=solution, label="2022.1", defaults={"obsolete_versions": "Versions 2019.x"}
    )
    dossier, _ = Dossier.objects.get_or_create(
        solution_version=version,
        dsr=Dsr.objects.get(code="SGL-V1"),
        defaults={
            "editor": editor,
            "status": DossierStatus.REFERENCED,
            "created_by": user,
            "contact_name": user.get_full_name() or user.email,
            "contact_email": user.email,
            "proofs_complete_on": today - timedelta(days=90),
            "referenced_on": today - timedelta(days=60),
            "referencing_number": "DEMO-SGL-V1-0001",
        },
    )
    return dossier


def _lines(*, segur_total: Decimal, state: Decimal | None = None) -> list[LineInput]:
    state = segur_total if state is None else state
    rights = Decimal("12000.00")
    install = Decimal("8000.00")
    training = Decimal("3000.00")
    maintenance = segur_total - rights - install - training
    return [
        LineInput(
            label="Droits d'utilisation de la version référencée",
            scope=Scope.SEGUR,
            dsr_codes="SGL-V1",
            amount_ttc=rights,
            amount_ht=Decimal("10000.00"),
        ),
        LineInput(
            label="Installation, paramétrage et mise en service",
            scope=Scope.SEGUR,
            dsr_codes="SGL-V1",
            amount_ttc=install,
            amount_ht=Decimal("6666.67"),
        ),
        LineInput(label="Maintenance 6 ans", scope=Scope.SEGUR, dsr_codes="SGL-V1", amount_ttc=maintenance),
        LineInput(
            label="Formation des utilisateurs", scope=Scope.SEGUR, dsr_codes="SGL-V1", amount_ttc=training
        ),
        LineInput(
            label="Montant de la Prestation Ségur pris en charge par l'Etat au titre du Ségur",
            scope=Scope.STATE_FUNDING,
            amount_ttc=state,
        ),
        LineInput(
            label="Module statistiques avancées", scope=Scope.OUT_OF_SCOPE, amount_ttc=Decimal("1200.00")
        ),
        LineInput(
            label="Montée de version de l'ancien SGL (rattrapage)",
            scope=Scope.OUT_OF_SCOPE,
            amount_ttc=Decimal("2400.00"),
            is_technical_debt=True,
        ),
    ]


def _quote(
    *,
    number: str,
    editor_user: User,
    editor: Organization,
    lab: Organization,
    dossier: Dossier,
    lines: list[LineInput],
) -> tuple[Quote, bool]:
    existing = Quote.objects.filter(editor=editor, number=number).first()
    if existing is not None:
        return existing, False
    quote = services.quote_create(
        user=editor_user,
        editor=editor,
        client=lab,
        dsr=dossier.dsr,
        dossier=dossier,
        lines=lines,
        number=number,
    )
    return quote, True


def demo_load(*, accounts) -> Iterator[str]:
    today = clock.today()
    windows = demo_window_ensure(today=today)
    if windows:
        yield (
            f"Fenêtre de démonstration n° {DEMO_WINDOW_NUMBER} : signature jusqu'au "
            f"{windows[0].order_signature_deadline:%d/%m/%Y}, avance jusqu'au "
            f"{windows[0].advance_request_deadline:%d/%m/%Y}."
        )
    users = accounts.users
    dossier = _dossier(accounts.editor, referenced=True) or _fallback_referenced_dossier(
        accounts.editor, users["editeur"], today=today
    )
    cap = Decimal("32940.00")  # tier B: labo has 12 sites
    created = []

    issued, new = _quote(
        number="D-DEMO-0001",
        editor_user=users["editeur"],
        editor=accounts.editor,
        lab=accounts.lab,
        dossier=dossier,
        lines=_lines(segur_total=cap),
    )
    if new:
        services.quote_issue(quote=issued, user=users["editeur"])
        created.append(issued.number)

    for number, deliver in (("D-DEMO-0002", False), ("D-DEMO-0003", True)):
        quote, new = _quote(
            number=number,
            editor_user=users["editeur"],
            editor=accounts.editor,
            lab=accounts.lab,
            dossier=dossier,
            lines=_lines(segur_total=cap),
        )
        if not new:
            continue
        services.quote_issue(quote=quote, user=users["editeur"])
        services.quote_sign(
            quote=quote,
            user=users["labo"],
            signatory_name="Dr Claire Martin",
            signatory_role="biologiste responsable",
        )
        if deliver:
            services.quote_declare_delivery(quote=quote, user=users["labo"])
        created.append(number)

    # A draft that leaves the client 1 500 € of maintenance: the editor sees what to correct.
    draft, new = _quote(
        number="D-DEMO-0004",
        editor_user=users["editeur"],
        editor=accounts.editor,
        lab=accounts.lab,
        dossier=dossier,
        lines=_lines(segur_total=cap, state=cap - Decimal("1500.00")),
    )
    if new:
        created.append(draft.number)

    dossier2 = _dossier(accounts.editor2, referenced=False)
    if dossier2 is not None:
        quote, new = _quote(
            number="D2-DEMO-0001",
            editor_user=users["editeur2"],
            editor=accounts.editor2,
            lab=accounts.lab2,
            dossier=dossier2,
            lines=_lines(segur_total=Decimal("27000.00")),
        )
        if new and quote.is_conform:
            services.quote_issue(quote=quote, user=users["editeur2"])
            created.append(quote.number)
    if created:
        yield "Devis de démonstration : " + ", ".join(created) + "."
    else:
        yield "Devis de démonstration déjà présents."
