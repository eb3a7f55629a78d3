"""The wordings of conditional offers as reference data: shipped, edited by ANS with history,
read by the checker at its next check (the DB side of `quotes.rules.conditions.ConditionMatcher`)."""

import copy
import json
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from segur_funding.quotes.checker import quote_check_document, quote_check_file_read
from segur_funding.quotes.rules.text import DEFAULT_MATCHER
from segur_funding.quotes.selectors import label_matcher
from segur_funding.referential.models import ConditionWording
from segur_funding.referential.services import shipped_wordings_load
from tests.quotes.corpus import producers
from tests.quotes.corpus.spec import base

EXAMPLES = Path(__file__).resolve().parents[1] / "quotes" / "examples"


def codes_with_mention(text: str) -> list[str]:
    document = copy.deepcopy(
        json.loads((EXAMPLES / "sgl_conform_tier_b.json").read_text(encoding="utf-8"))
    )
    # A mention: a « condition » is one by definition; a mention only when its words say so.
    document["mentions"] = [*document.get("mentions", []), text]
    report = quote_check_document(document, today=date(2022, 5, 1))
    return [f.code for f in report.findings]


def test_checker_uses_the_shipped_wordings_while_the_table_is_empty(reference_data):
    assert not ConditionWording.objects.exists()
    assert label_matcher() is DEFAULT_MATCHER
    assert "CONDITIONAL_OFFER" in codes_with_mention("Sous réserve de souscrire le module Qualité")


def test_an_edit_by_ans_applies_at_the_next_check_with_its_history(reference_data):
    shipped_wordings_load(model=ConditionWording)
    text = "Tarif valable sous réserve de l'hébergement chez l'éditeur"
    assert "CONDITIONAL_OFFER" not in codes_with_mention(text)
    before = label_matcher()

    row = ConditionWording.objects.get(code="souscription")
    row.patterns += "\nhebergement"
    row._change_reason = "Formulation vue sur un devis"
    row.save()

    assert label_matcher() is not before
    assert "CONDITIONAL_OFFER" in codes_with_mention(text)
    assert row.history.first().history_change_reason == "Formulation vue sur un devis"
    assert "CONDITIONAL_OFFER" not in codes_with_mention("Sans hébergement chez l'éditeur imposé")

    row.is_active = False
    row.save()
    assert "CONDITIONAL_OFFER" not in codes_with_mention(text)
    assert label_matcher() is label_matcher()


def test_a_wording_added_by_ans_counts_on_the_pdf_and_the_json_doors(reference_data, tmp_path):
    """One reading of conditions: the PDF reader picks a quote's conditions with the wordings
    the checker reads a JSON quote's mentions with, so an addition in the admin counts on both."""
    shipped_wordings_load(model=ConditionWording)
    sentence = "Tarif lié à l'hébergement des données de production chez l'éditeur."
    pdf = tmp_path / "devis.pdf"
    producers.write_canvas(base("canvas", "devis").with_(mentions=(sentence,)), pdf)
    context = {"referenced_on": "2021-09-01", "proofs_complete_on": "2021-08-15"}

    def pdf_door() -> tuple[str, set[str], list[str]]:
        report, document = quote_check_file_read(pdf, overrides=context, today=date(2022, 7, 1))
        return report.verdict, {f.code for f in report.findings}, document["conditions"]

    assert pdf_door() == ("conform", set(), [])
    assert "CONDITIONAL_OFFER" not in codes_with_mention(sentence)

    ConditionWording.objects.create(
        code="hebergement-lie", kind="always", name="tarif lié à l'hébergement",
        patterns="lie ... hebergement",
    )

    assert pdf_door() == ("non_conform", {"CONDITIONAL_OFFER"}, [sentence])
    assert "CONDITIONAL_OFFER" in codes_with_mention(sentence)


def test_a_deleted_wording_is_no_longer_read_on_either_door(reference_data, tmp_path):
    """A wording ANS removes no longer counts on the PDF door either (the reader has no
    wordings of its own)."""
    shipped_wordings_load(model=ConditionWording)
    sentence = "Offre indissociable du module BI."
    pdf = tmp_path / "devis.pdf"
    producers.write_canvas(base("canvas", "devis").with_(mentions=(sentence,)), pdf)
    context = {"referenced_on": "2021-09-01", "proofs_complete_on": "2021-08-15"}
    report, document = quote_check_file_read(pdf, overrides=context, today=date(2022, 7, 1))
    assert (report.verdict, document["conditions"]) == ("non_conform", [sentence])

    ConditionWording.objects.get(code="indissociable").delete()

    report, document = quote_check_file_read(pdf, overrides=context, today=date(2022, 7, 1))
    assert (report.verdict, document["conditions"]) == ("conform", [])


def test_a_deleted_wording_is_no_longer_read(reference_data):
    shipped_wordings_load(model=ConditionWording)
    assert "CONDITIONAL_OFFER" in codes_with_mention("Offre indissociable du module BI")
    ConditionWording.objects.get(code="indissociable").delete()
    assert "CONDITIONAL_OFFER" not in codes_with_mention("Offre indissociable du module BI")


def test_admin_refuses_an_unusable_pattern_in_french(admin_client, reference_data):
    shipped_wordings_load(model=ConditionWording)
    row = ConditionWording.objects.get(code="reengagement")
    url = reverse("admin:referential_conditionwording_change", args=[row.pk])
    assert admin_client.get(url).status_code == 200
    data = {
        "name": row.name, "code": row.code, "kind": row.kind,
        "patterns": row.patterns + "\nreconduction ...", "is_active": "on", "position": row.position,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "« ... » doit être placé entre deux mots" in response.content.decode()
    assert ConditionWording.objects.get(pk=row.pk).patterns == row.patterns

    data["patterns"] = row.patterns + "\nreconduction tacite"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert ConditionWording.history.filter(id=row.pk).count() == 2


def test_a_wording_without_any_pattern_is_refused_in_french(admin_client, reference_data):
    url = reverse("admin:referential_conditionwording_add")
    response = admin_client.post(
        url, {"name": "x", "code": "x", "kind": "trigger", "patterns": "  ", "position": 0}
    )
    assert response.status_code == 200
    assert not ConditionWording.objects.exists()


@pytest.mark.parametrize("model_view", ["changelist", "add"])
def test_admin_pages_of_condition_wordings_load(admin_client, reference_data, model_view):
    shipped_wordings_load(model=ConditionWording)
    response = admin_client.get(reverse(f"admin:referential_conditionwording_{model_view}"))
    assert response.status_code == 200
