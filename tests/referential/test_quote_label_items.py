"""The words of SPEC §3.4 as reference data: shipped, edited by ANS with history, read by the
checker at its next check (the DB-side of `quotes.rules.labels`)."""

import copy
import json
from pathlib import Path

import pytest
from django.urls import reverse

from segur_funding.quotes.checker import quote_check_document
from segur_funding.quotes.rules.text import DEFAULT_MATCHER
from segur_funding.quotes.selectors import label_matcher
from segur_funding.referential.models import QuoteLabelItem
from segur_funding.referential.services import shipped_wordings_load

EXAMPLES = Path(__file__).resolve().parents[1] / "quotes" / "examples"
TODAY_ISO = "2022-05-01"


def conform_with(label: str, scope: str = "out_of_scope") -> dict:
    document = json.loads((EXAMPLES / "sgl_conform_tier_b.json").read_text(encoding="utf-8"))
    document = copy.deepcopy(document)
    document["lines"].append({"label": label, "scope": scope, "amount_ttc": "900.00"})
    return document


def codes(document: dict) -> list[str]:
    from datetime import date

    report = quote_check_document(document, today=date.fromisoformat(TODAY_ISO))
    return [f.code for f in report.findings]


def test_checker_uses_the_shipped_wordings_while_the_table_is_empty(reference_data):
    assert not QuoteLabelItem.objects.exists()
    assert label_matcher() is DEFAULT_MATCHER
    assert "CLIENT_REMAINDER" in codes(conform_with("Chefferie de projet"))


def test_an_edit_by_ans_applies_at_the_next_check_with_its_history(reference_data):
    shipped_wordings_load(model=QuoteLabelItem)
    assert "CLIENT_REMAINDER" not in codes(conform_with("Hypercare (2 semaines)"))
    before = label_matcher()

    item = QuoteLabelItem.objects.get(code="mise-en-service")
    item.patterns += "\nhypercare"
    item._change_reason = "Formulation vue sur un devis"
    item.save()

    assert label_matcher() is not before
    assert "CLIENT_REMAINDER" in codes(conform_with("Hypercare (2 semaines)"))
    assert item.history.first().history_change_reason == "Formulation vue sur un devis"

    item.is_active = False
    item.save()
    assert "CLIENT_REMAINDER" not in codes(conform_with("Hypercare (2 semaines)"))
    # Unchanged table: the same compiled matcher is reused.
    assert label_matcher() is label_matcher()


def test_a_deleted_item_is_no_longer_read(reference_data):
    shipped_wordings_load(model=QuoteLabelItem)
    assert "EXCLUDED_ITEM_FUNDED" in codes(conform_with("Migration SGBD", scope="segur"))
    QuoteLabelItem.objects.get(code="migration-sgbd").delete()
    assert "EXCLUDED_ITEM_FUNDED" not in codes(conform_with("Migration SGBD", scope="segur"))


def test_admin_refuses_an_unusable_pattern_in_french(admin_client, reference_data):
    shipped_wordings_load(model=QuoteLabelItem)
    item = QuoteLabelItem.objects.get(code="formation")
    url = reverse("admin:referential_quotelabelitem_change", args=[item.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    data = {
        "name": item.name, "code": item.code, "kind": item.kind,
        "patterns": item.patterns + "\nformation ...", "requires": "", "exceptions": "",
        "is_active": "on", "position": item.position,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "« ... » doit être placé entre deux mots" in response.content.decode()
    assert QuoteLabelItem.objects.get(pk=item.pk).patterns == item.patterns

    data["patterns"] = item.patterns + "\natelier pratique"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert QuoteLabelItem.history.filter(id=item.pk).count() == 2


@pytest.mark.parametrize("model_view", ["changelist", "add"])
def test_admin_pages_of_label_items_load(admin_client, reference_data, model_view):
    shipped_wordings_load(model=QuoteLabelItem)
    response = admin_client.get(reverse(f"admin:referential_quotelabelitem_{model_view}"))
    assert response.status_code == 200
