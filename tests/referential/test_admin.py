from decimal import Decimal

import pytest
from django.urls import reverse

from segur_funding.referential.models import Corridor, Dsr, FundingScheme, Requirement, Tier

from .conftest import changeform_data

MODELS = [Corridor, Dsr, Requirement, FundingScheme]

# Changelists must not run one query per row (the DSR list counts requirements, the AF list counts
# tiers): the budget holds with 60 extra requirements and a second AF.
CHANGELIST_QUERY_BUDGET = 10


@pytest.fixture
def many_rows(reference_data):
    sgl = Dsr.objects.get(code="SGL-V1")
    Requirement.objects.bulk_create(
        Requirement(dsr=sgl, reference=f"SGL/X.{i:02}", title=f"Exigence {i}") for i in range(60)
    )
    FundingScheme.objects.create(dsr=sgl, name="AF SGL vague 1 bis", version="2", is_active=False)


def sgl_scheme() -> FundingScheme:
    return FundingScheme.objects.get(dsr__code="SGL-V1", is_active=True)


def url(model, view: str, *args) -> str:
    return reverse(f"admin:referential_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_changelist_loads_within_query_budget(admin_client, many_rows, model, django_assert_max_num_queries):
    with django_assert_max_num_queries(CHANGELIST_QUERY_BUDGET):
        response = admin_client.get(url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_change_add_and_history_pages_load(admin_client, reference_data, model):
    obj = model.objects.order_by("pk").first()
    for page in (
        url(model, "change", obj.pk),
        url(model, "add"),
        url(model, "history", obj.pk),
    ):
        assert admin_client.get(page).status_code == 200, page


def test_dsr_list_shows_requirement_count_and_barème_filter(admin_client, reference_data):
    response = admin_client.get(url(Dsr, "changelist"), {"bareme": "non"})
    codes = {d.code for d in response.context["cl"].result_list}
    assert codes == {"LGC-V1", "RI-V1", "DPI-V1", "PFI-V1", "RIS-V1"}

    response = admin_client.get(url(Dsr, "changelist"), {"bareme": "oui"})
    rows = {d.code: d for d in response.context["cl"].result_list}
    assert set(rows) == {"SGL-V1", "LOINC-V1"}
    assert rows["SGL-V1"].requirement_count == 11


def test_requirement_search_and_filters(admin_client, reference_data):
    response = admin_client.get(url(Requirement, "changelist"), {"q": "INSi"})
    assert [r.reference for r in response.context["cl"].result_list] == ["SGL/INS.02"]
    response = admin_client.get(
        url(Requirement, "changelist"), {"profile": "SGL ES", "is_starter__exact": "1"}
    )
    assert {r.reference for r in response.context["cl"].result_list} == {
        "SGL/INS.03",
        "SGL/DPI.01",
    }


def test_cap_change_through_admin_is_recorded_with_its_author(admin_client, admin_user, reference_data):
    scheme = sgl_scheme()
    change_url = url(FundingScheme, "change", scheme.pk)
    data = changeform_data(admin_client.get(change_url))
    tier_a = Tier.objects.get(scheme=scheme, code="A")
    prefix = next(k for k, v in data.items() if k.endswith("-id") and v == str(tier_a.pk))[:-3]
    data[f"{prefix}-cap_ttc"] = "27100.00"

    response = admin_client.post(change_url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    tier_a.refresh_from_db()
    assert tier_a.cap_ttc == Decimal("27100.00")
    assert tier_a.cap_ht == Decimal("22500.00")  # never derived from the TTC cap
    record = tier_a.history.order_by("-history_date").first()
    assert record.history_user == admin_user
    assert record.history_type == "~"
    assert record.prev_record.cap_ttc == Decimal("27000.00")

    page = admin_client.get(change_url).content.decode()
    assert admin_user.email in page
    assert "27100" in page


def _post_tiers(admin_client, scheme, **changes):
    """Post the AF change form with some tier fields changed: {"B": {"sites_from": 3}}."""
    change_url = url(FundingScheme, "change", scheme.pk)
    data = changeform_data(admin_client.get(change_url))
    for tier in scheme.tiers.all():
        prefix = next(k for k, v in data.items() if k.endswith("-id") and v == str(tier.pk))[:-3]
        for field, value in changes.get(tier.code, {}).items():
            data[f"{prefix}-{field}"] = str(value)
    return admin_client.post(change_url, data)


def _inline_errors(response) -> str:
    formset = response.context["inline_admin_formsets"][0].formset
    return " ".join(str(e) for e in formset.non_form_errors())


def test_tier_table_with_a_gap_is_refused_in_french(admin_client, reference_data):
    scheme = sgl_scheme()
    response = _post_tiers(admin_client, scheme, B={"sites_from": 3})
    assert response.status_code == 200
    errors = _inline_errors(response)
    assert "sans trou ni chevauchement" in errors
    assert "Tranche B : commence à 3 site(s), 2 attendu." in errors
    assert Tier.objects.get(scheme=scheme, code="B").sites_from == 2


def test_tier_table_with_an_overlap_is_refused_in_french(admin_client, reference_data):
    scheme = sgl_scheme()
    response = _post_tiers(admin_client, scheme, B={"sites_to": 25})
    assert response.status_code == 200
    assert "Tranche C : commence à 22 site(s), 26 attendu." in _inline_errors(response)
    assert Tier.objects.get(scheme=scheme, code="B").sites_to == 21


def test_tier_table_without_open_last_tier_is_refused(admin_client, reference_data):
    response = _post_tiers(admin_client, sgl_scheme(), E={"sites_to": 100})
    assert "La dernière tranche doit être sans borne supérieure." in _inline_errors(response)


def test_cap_ht_above_cap_ttc_is_refused(admin_client, reference_data):
    response = _post_tiers(admin_client, sgl_scheme(), A={"cap_ht": "28000.00"})
    assert response.status_code == 200
    form_errors = str(response.context["inline_admin_formsets"][0].formset.errors)
    assert "Le plafond HT (28000.00 €) dépasse le plafond TTC (27000.00 €)" in form_errors


def test_second_active_scheme_for_a_dsr_gets_a_french_error(admin_client, reference_data):
    data = changeform_data(admin_client.get(url(FundingScheme, "add")))
    data.update(
        dsr=str(Dsr.objects.get(code="SGL-V1").pk),
        name="AF SGL vague 1, version 2",
        version="2",
        is_active="on",
        advance_rate="0.300",
        preorder_max_days="120",
        **{
            "tiers-TOTAL_FORMS": "1",
            "tiers-0-code": "U",
            "tiers-0-sites_from": "1",
            "tiers-0-sites_to": "",
            "tiers-0-cap_ht": "20000.00",
            "tiers-0-cap_ttc": "24000.00",
        },
    )
    response = admin_client.post(url(FundingScheme, "add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["is_active"]
    assert "Le DSR SGL-V1 a déjà un appel à financement en vigueur" in errors[0]
    assert FundingScheme.objects.filter(dsr__code="SGL-V1").count() == 1


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_activate_action_switches_the_scheme_in_force(admin_client, reference_data):
    old = sgl_scheme()
    new = FundingScheme.objects.create(dsr=old.dsr, name="AF SGL v2", version="2", is_active=False)
    for tier in old.tiers.all():
        tier.pk = None
        tier.scheme = new
        tier.save()

    response = admin_client.post(
        url(FundingScheme, "changelist"),
        {"action": "activate", "_selected_action": [str(new.pk)]},
        follow=True,
    )

    assert "est désormais l'AF en vigueur du DSR SGL-V1" in _messages(response)
    assert sgl_scheme() == new
    old.refresh_from_db()
    assert old.is_active is False


def test_activate_action_refuses_a_scheme_without_barème(admin_client, reference_data):
    dsr = Dsr.objects.get(code="DPI-V1")
    scheme = FundingScheme.objects.create(dsr=dsr, name="AF DPI", is_active=False)
    response = admin_client.post(
        url(FundingScheme, "changelist"),
        {"action": "activate", "_selected_action": [str(scheme.pk)]},
        follow=True,
    )
    assert "ne peut pas être mis en vigueur" in _messages(response)
    scheme.refresh_from_db()
    assert scheme.is_active is False
