"""Demo data: one referenced solution, one dossier under review; loading twice changes nothing."""

import pytest

from segur_funding.organizations.demo import demo_data_load
from segur_funding.referencing.constants import DossierStatus, ProofStatus
from segur_funding.referencing.models import Dossier, DossierEvent, ProofFile


@pytest.mark.django_db(transaction=True)
def test_demo_loads_a_referenced_and_an_under_review_dossier_idempotently(reference_data):
    list(demo_data_load())
    referenced = Dossier.objects.get(solution_version__solution__name="BioLab SGL")
    assert referenced.editor.name == "Biologiciel SAS"
    assert referenced.status == DossierStatus.REFERENCED
    assert referenced.referencing_number == "SGL-V1-2022-0001"
    assert str(referenced.referenced_on) == "2022-03-01"
    assert str(referenced.proofs_complete_on) == "2022-02-01"
    assert not referenced.proofs.exclude(status=ProofStatus.ACCEPTED).exists()
    assert referenced.certificate.name.endswith(".pdf")
    assert referenced.events.order_by("created_at").last().kind == "grant"
    review = Dossier.objects.get(solution_version__solution__name="LabSoft SGL")
    assert review.editor.name == "LabSoft Santé"
    assert review.status == DossierStatus.UNDER_REVIEW and review.proofs_complete_on
    counts = (Dossier.objects.count(), DossierEvent.objects.count(), ProofFile.objects.count())
    list(demo_data_load())
    assert (Dossier.objects.count(), DossierEvent.objects.count(), ProofFile.objects.count()) == counts
