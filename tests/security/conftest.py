"""The demo world (SPEC §5), loaded once per module for the security tests.

Loading the demo runs every service with its on-commit tasks (certificates and quote PDFs are
really generated), which takes seconds: the permission matrix asks hundreds of questions of the
same world, so it is built once per module and each test runs in a transaction rolled back at
its end. The module's teardown empties the database, as a transactional test would.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import override_settings

from tests.conftest import ROOT

ROLES = ("anonymous", "editeur", "editeur2", "labo", "labo2", "ans", "asp")


@dataclass
class DemoWorld:
    users: dict
    editor: object
    editor2: object
    lab: object
    lab2: object
    media_root: Path
    extra: dict = field(default_factory=dict)

    def user(self, role: str):
        return None if role == "anonymous" else self.users[role]


def _extra_objects(world: DemoWorld) -> None:
    """What the demo leaves out but the matrix needs: a funding request (with its invoice) of
    the second editor, so that the first editor also has another editor's request to try."""
    from segur_funding.core.pdf import one_page_pdf
    from segur_funding.funding.constants import Milestone, RequestStatus
    from segur_funding.funding.models import FundingRequest
    from segur_funding.quotes.models import Quote

    quote = Quote.objects.filter(editor=world.editor2).order_by("pk").first()
    if quote is None:
        return
    fr = FundingRequest.objects.create(
        quote=quote,
        editor=world.editor2,
        milestone=Milestone.ADVANCE,
        status=RequestStatus.SUBMITTED,
        funded_amount=Decimal("27000.00"),
        amount=Decimal("8100.00"),
    )
    fr.invoice.save("facture-labsoft.pdf", ContentFile(one_page_pdf("Facture LabSoft")), save=True)


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker, tmp_path_factory):
    from segur_funding.organizations.demo import demo_data_load
    from segur_funding.organizations.models import Organization, User
    from segur_funding.referential.services import reference_data_load

    media = tmp_path_factory.mktemp("private")
    uploads = tmp_path_factory.mktemp("upload-tmp")
    with override_settings(PRIVATE_MEDIA_ROOT=media, FILE_UPLOAD_TEMP_DIR=str(uploads)):
        with django_db_blocker.unblock():
            try:
                for path in sorted((ROOT / "fixtures" / "reference").glob("*.json")):
                    reference_data_load(path=path)
                list(demo_data_load())
                users = {
                    role: User.objects.get(email=f"{role}@demo.test")
                    for role in ROLES
                    if role != "anonymous"
                }
                world = DemoWorld(
                    users=users,
                    editor=Organization.objects.get(name="Biologiciel SAS"),
                    editor2=Organization.objects.get(name="LabSoft Santé"),
                    lab=Organization.objects.get(name="Laboratoire BioRhône"),
                    lab2=Organization.objects.get(name="Laboratoire du Littoral"),
                    media_root=media,
                )
                _extra_objects(world)
                yield world
            finally:
                call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def world(demo_world, db):
    """The demo world inside this test's transaction (rolled back at the end)."""
    from django.core.cache import cache

    cache.clear()  # login lockouts and throttles from another test must not leak in
    return demo_world


