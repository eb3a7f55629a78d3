from decimal import Decimal

from segur_funding.referential.models import Dsr, Tier
from segur_funding.referential.rules import tiers_problems
from segur_funding.referential.selectors import scheme_ref_for_dsr


def test_seven_wave_one_dsrs_are_loaded(reference_data):
    assert sorted(Dsr.objects.values_list("code", flat=True)) == sorted(
        ["LGC-V1", "RI-V1", "DPI-V1", "PFI-V1", "RIS-V1", "SGL-V1", "LOINC-V1"]
    )


def test_sgl_barème_partitions_all_site_counts(reference_data):
    scheme = scheme_ref_for_dsr(dsr_code="SGL-V1")
    assert scheme is not None
    assert [t.code for t in scheme.tiers] == ["A", "B", "C", "D", "E"]
    assert tiers_problems(scheme.tiers) == []
    assert scheme.tiers[2].cap_ttc == Decimal("36893.00")


def test_dsr_without_barème_has_no_scheme(reference_data):
    assert scheme_ref_for_dsr(dsr_code="DPI-V1") is None


def test_reloading_keeps_admin_corrections(reference_data):
    from segur_funding.referential.services import reference_data_load
    from tests.conftest import ROOT

    Tier.objects.filter(code="A").update(cap_ttc=Decimal("27001.00"))
    reference_data_load(path=ROOT / "fixtures" / "reference" / "sons_wave1.json")
    assert Tier.objects.get(code="A").cap_ttc == Decimal("27001.00")


def test_starter_rem_is_loaded_and_marked_as_such(reference_data):
    from segur_funding.referential.models import Requirement

    sgl = Requirement.objects.filter(dsr__code="SGL-V1")
    assert sgl.count() == 11
    assert not sgl.filter(is_starter=False).exists()
    assert not sgl.filter(mandatory=False).exists()
    assert set(sgl.values_list("profile", flat=True)) == {"Tous", "SGL ville", "SGL ES"}
    assert {"SGL/DMP.01", "SGL/PSC.01", "SGL/INS.02", "SGL/INS.03", "SGL/RPPS.01"} <= set(
        sgl.values_list("reference", flat=True)
    )
    assert all(r.expected_proofs and r.statement for r in sgl)
    assert Requirement.objects.filter(dsr__code="LOINC-V1", is_starter=True).count() == 2


def test_starter_rem_is_declared_a_placeholder_in_the_fixture():
    import json

    from tests.conftest import ROOT

    data = json.loads((ROOT / "fixtures" / "reference" / "sons_wave1.json").read_text())
    assert "À remplacer par le fichier REM officiel" in data["requirements_note"]
    assert all(r["is_starter"] for r in data["requirements"])
