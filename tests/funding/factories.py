"""Factories for quotes and funding, with one trait per lifecycle state.

States are reached through the services (so a "signed" quote really passed the checker and the
signature rules), except the referencing dossier, which belongs to another app and is created
as the referencing services would leave it.
"""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from segur_funding.core import clock
from segur_funding.organizations.constants import BankAccountStatus, OrganizationKind, Role
from segur_funding.organizations.models import BankAccount, Membership, Organization, User
from segur_funding.quotes import services as quote_services
from segur_funding.quotes.services import LineInput
from segur_funding.referencing.constants import DossierStatus
from segur_funding.referencing.models import Dossier, Solution, SolutionVersion
from segur_funding.referential.models import Dsr

# Dates inside the wave 1 biology window of the reference data (signature by 15/07/2022,
# advance request by 30/11/2022, service by 15/10/2022, balance request by 28/04/2023).
ORDER_DATE = date(2022, 3, 1)
SIGN_DAY = date(2022, 6, 1)
ADVANCE_DAY = date(2022, 6, 10)
PAID_DAY = date(2022, 6, 20)
DELIVERY_DAY = date(2022, 9, 1)
BALANCE_DAY = date(2022, 10, 1)

STATE_WORDING = "Montant de la Prestation Ségur pris en charge par l'Etat au titre du Ségur"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@test.example")
    password = factory.django.Password("pw")


class EditorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrganizationKind.EDITOR
    name = factory.Sequence(lambda n: f"Éditeur {n}")
    siren = "732829320"


class LabFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrganizationKind.CLIENT
    name = factory.Sequence(lambda n: f"Laboratoire {n}")
    siret = "44306184000015"
    geographic_sites = 12


def bank_account_for(editor: Organization) -> BankAccount:
    """Validated bank details for the editor, as ASP leaves them (a payment needs some)."""
    return BankAccount.objects.create(
        organization=editor,
        holder=editor.name.upper(),
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        document="rib/test.pdf",  # a name only: no test reads the file
        document_sha256="0" * 64,
        status=BankAccountStatus.VALIDATED,
        submitted_by=UserFactory(),
        submitted_at=clock.now(),
        decided_at=clock.now(),
    )


def member(org: Organization, email: str | None = None) -> User:
    user = UserFactory(**({"email": email} if email else {}))
    role = Role.EDITOR_MEMBER if org.kind == OrganizationKind.EDITOR else Role.LAB_MEMBER
    Membership.objects.get_or_create(user=user, organization=org, defaults={"role": role})
    return user


def asp_user(email: str = "asp@test.example") -> User:
    from segur_funding.organizations.constants import ASP_REVIEWERS_GROUP
    from segur_funding.organizations.services import reviewer_groups_setup

    groups = reviewer_groups_setup()
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(groups[ASP_REVIEWERS_GROUP])
    return User.objects.get(pk=user.pk)  # fresh: no cached permissions


def dossier_for(
    editor: Organization,
    *,
    dsr_code: str = "SGL-V1",
    referenced_on: date | None = date(2022, 2, 1),
    proofs_complete_on: date | None = date(2022, 1, 15),
    created_by: User | None = None,
) -> Dossier:
    solution, _ = Solution.objects.get_or_create(editor=editor, name=f"Solution {editor.pk}")
    version, _ = SolutionVersion.objects.get_or_create(
        solution=solution, label=f"V{Dossier.objects.count() + 1}", defaults={"obsolete_versions": "-"}
    )
    status = (
        DossierStatus.REFERENCED
        if referenced_on
        else DossierStatus.UNDER_REVIEW
        if proofs_complete_on
        else DossierStatus.PROOFS_IN_PROGRESS
    )
    return Dossier.objects.create(
        editor=editor,
        solution_version=version,
        dsr=Dsr.objects.get(code=dsr_code),
        status=status,
        created_by=created_by or member(editor),
        contact_name="Contact",
        contact_email="contact@test.example",
        referenced_on=referenced_on,
        proofs_complete_on=proofs_complete_on,
        referencing_number=f"REF-{editor.pk}-{version.pk}" if referenced_on else None,
    )


def conform_lines(cap_ttc: Decimal = Decimal("32940.00")) -> list[LineInput]:
    """A quote of exactly the tier B cap, fully funded, plus one out-of-scope option."""
    return [
        LineInput(
            label="Droits d'utilisation de la version référencée",
            scope="segur",
            dsr_codes="SGL-V1",
            amount_ttc=Decimal("12000.00"),
            amount_ht=Decimal("10000.00"),
        ),
        LineInput(
            label="Installation, paramétrage et mise en service",
            scope="segur",
            dsr_codes="SGL-V1",
            amount_ttc=Decimal("8000.00"),
            amount_ht=Decimal("6666.67"),
        ),
        LineInput(
            label="Maintenance 6 ans",
            scope="segur",
            dsr_codes="SGL-V1",
            amount_ttc=cap_ttc - Decimal("23000.00"),
        ),
        LineInput(
            label="Formation des utilisateurs",
            scope="segur",
            dsr_codes="SGL-V1",
            amount_ttc=Decimal("3000.00"),
        ),
        LineInput(label=STATE_WORDING, scope="state_funding", amount_ttc=cap_ttc),
        LineInput(label="Module statistiques", scope="out_of_scope", amount_ttc=Decimal("1200.00")),
    ]


class Scenario:
    """An editor, a lab (12 sites: tier B), their users and a referenced dossier."""

    def __init__(self, *, referenced_on=date(2022, 2, 1), proofs_complete_on=date(2022, 1, 15)):
        self.editor = EditorFactory()
        self.lab = LabFactory()
        self.editor_user = member(self.editor)
        self.lab_user = member(self.lab)
        self.dossier = dossier_for(
            self.editor,
            referenced_on=referenced_on,
            proofs_complete_on=proofs_complete_on,
            created_by=self.editor_user,
        )
        self.dsr = self.dossier.dsr
        self.bank_account = bank_account_for(self.editor)

    def draft(self, *, lines=None, order_date=ORDER_DATE, today=ORDER_DATE, **kwargs):
        return quote_services.quote_create(
            user=self.editor_user,
            editor=self.editor,
            client=self.lab,
            dsr=self.dsr,
            dossier=self.dossier,
            order_date=order_date,
            lines=lines or conform_lines(),
            today=today,
            **kwargs,
        )

    def issued(self, **kwargs):
        quote = self.draft(**kwargs)
        return quote_services.quote_issue(quote=quote, user=self.editor_user, today=ORDER_DATE)

    def signed(self, *, today=SIGN_DAY, **kwargs):
        quote = self.issued(**kwargs)
        return quote_services.quote_sign(
            quote=quote,
            user=self.lab_user,
            signatory_name="Dr Claire Martin",
            signatory_role="biologiste responsable",
            today=today,
        )

    def delivered(self, **kwargs):
        quote = self.signed(**kwargs)
        return quote_services.quote_declare_delivery(
            quote=quote, user=self.lab_user, delivered_on=DELIVERY_DAY, today=DELIVERY_DAY
        )


def asp_validate(request, user, *, on: date):
    """The ASP validates `request` on day `on` (Paris): a payment is dated that day or later."""
    from segur_funding.funding import services

    with clock.travel_to(datetime.combine(on, time(12), tzinfo=ZoneInfo("Europe/Paris"))):
        return services.funding_request_validate(request=request, user=user)
