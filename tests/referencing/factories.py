"""Factories of the referencing domain, with a trait per lifecycle state."""

import io
import zipfile

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from stdnum import luhn

from segur_funding.organizations.constants import ClientKind, OrganizationKind, Role
from segur_funding.organizations.models import Membership, Organization, User
from segur_funding.referencing.constants import DossierStatus
from segur_funding.referencing.models import Dossier, Solution, SolutionVersion
from segur_funding.referential.models import Corridor, Dsr, Requirement


def _siren(n: int) -> str:
    base = f"{n:08d}"
    return base + luhn.calc_check_digit(base)


def _siret(n: int) -> str:
    base = f"{n:013d}"
    return base + luhn.calc_check_digit(base)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@test.example")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Test{n}")
    password = factory.django.Password("pw")


class EditorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrganizationKind.EDITOR
    name = factory.Sequence(lambda n: f"Éditeur {n}")
    siren = factory.Sequence(lambda n: _siren(10_000_000 + n))


class LabFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrganizationKind.CLIENT
    client_kind = ClientKind.CITY_LAB
    name = factory.Sequence(lambda n: f"Laboratoire {n}")
    siret = factory.Sequence(lambda n: _siret(4_430_000_000_000 + n))
    geographic_sites = 3


def member(org: Organization, **kwargs) -> User:
    user = UserFactory(**kwargs)
    role = Role.EDITOR_MEMBER if org.kind == OrganizationKind.EDITOR else Role.LAB_MEMBER
    Membership.objects.create(user=user, organization=org, role=role)
    return user


class CorridorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Corridor
        django_get_or_create = ("code",)

    code = "biologie-test"
    name = "Biologie (tests)"


class DsrFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dsr
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"TST{n}-V1")
    corridor = factory.SubFactory(CorridorFactory)
    software = "Logiciel de test"


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement

    dsr = factory.SubFactory(DsrFactory)
    reference = factory.Sequence(lambda n: f"EX-{n:03d}")
    title = factory.Sequence(lambda n: f"Exigence {n}")
    expected_proofs = "Capture d'écran ou procès-verbal de test"
    mandatory = True
    position = factory.Sequence(int)


class SolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Solution

    editor = factory.SubFactory(EditorFactory)
    name = factory.Sequence(lambda n: f"Solution {n}")


class SolutionVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SolutionVersion

    solution = factory.SubFactory(SolutionFactory)
    label = factory.Sequence(lambda n: f"{n}.0")
    obsolete_versions = "Versions 1.x et antérieures"


class DossierFactory(factory.django.DjangoModelFactory):
    """Rows only (no history): for lists and permissions. Use `walk` for the real journey."""

    class Meta:
        model = Dossier

    solution_version = factory.SubFactory(SolutionVersionFactory)
    editor = factory.SelfAttribute("solution_version.solution.editor")
    dsr = factory.SubFactory(DsrFactory)
    created_by = factory.SubFactory(UserFactory)
    contact_name = "Camille Test"
    contact_email = "contact@test.example"
    honour_declaration = True

    class Params:
        referenced = factory.Trait(
            status=DossierStatus.REFERENCED,
            candidature_submitted_at=factory.LazyFunction(timezone.now),
            proofs_complete_on=factory.LazyFunction(timezone.localdate),
            referenced_on=factory.LazyFunction(timezone.localdate),
            referencing_number=factory.Sequence(lambda n: f"TST-V1-2026-{n + 1:04d}"),
        )
        under_review = factory.Trait(
            status=DossierStatus.UNDER_REVIEW,
            candidature_submitted_at=factory.LazyFunction(timezone.now),
            proofs_complete_on=factory.LazyFunction(timezone.localdate),
        )


# --- Files ---------------------------------------------------------------------------------------

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def png(name: str = "capture.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def pdf(name: str = "preuve.pdf", size: int | None = None) -> SimpleUploadedFile:
    data = PDF_BYTES if size is None else PDF_BYTES + b"%" + b"x" * (size - len(PDF_BYTES) - 1)
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def zip_bytes(members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()
