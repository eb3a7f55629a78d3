"""The one loader of the wordings the quote checker reads (label items, conditional offers):
shipped once by code, idempotent, never overwriting what ANS edited, each row with its history."""

from io import StringIO

import pytest
from django.core.management import call_command

from segur_funding.referential.condition_defaults import DEFAULT_CONDITION_WORDINGS
from segur_funding.referential.label_defaults import DEFAULT_LABEL_ITEMS
from segur_funding.referential.models import ConditionWording, QuoteLabelItem
from segur_funding.referential.services import shipped_wordings_load

TABLES = [
    pytest.param(QuoteLabelItem, DEFAULT_LABEL_ITEMS, "suivi-de-projet", id="label-items"),
    pytest.param(ConditionWording, DEFAULT_CONDITION_WORDINGS, "sous-reserve", id="conditions"),
]


@pytest.mark.parametrize(("model", "defaults", "code"), TABLES)
def test_shipped_wordings_are_loaded_once_and_never_overwritten(reference_data, model, defaults, code):
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    assert model.objects.count() == len(defaults)
    assert f"{len(defaults)} créé(s), 0 déjà présent(s)" in out.getvalue()
    row = model.objects.get(code=code)
    assert row.history.get().history_change_reason == "Jeu de formulations livré (load_reference_data)"
    row.patterns += "\nreporting mensuel"
    row.save()

    report = shipped_wordings_load(model=model)

    assert (report.created, report.kept) == (0, len(defaults))
    assert "reporting mensuel" in model.objects.get(code=code).patterns
    assert row.history.count() == 2



@pytest.mark.parametrize(("model", "defaults", "code"), TABLES)
def test_a_shipped_wording_ans_deleted_is_not_brought_back_by_the_next_setup(
    reference_data, model, defaults, code
):
    shipped_wordings_load(model=model)
    model.objects.get(code=code).delete()

    out = StringIO()
    call_command("load_reference_data", stdout=out)

    assert not model.objects.filter(code=code).exists()
    assert model.objects.count() == len(defaults) - 1
    assert "1 supprimé(s) par l'ANS (non recréé(s))" in out.getvalue()
