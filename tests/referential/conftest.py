import json
from pathlib import Path

import pytest

from segur_funding.referential.services import reference_data_load

ROOT = Path(__file__).resolve().parents[2]
REM_DIR = ROOT / "fixtures" / "rem"


@pytest.fixture
def no_requirements(db, tmp_path):
    """The published DSRs and barèmes without the starter REM: imports start from nothing."""
    for path in sorted((ROOT / "fixtures" / "reference").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("requirements", None)
        copy = tmp_path / path.name
        copy.write_text(json.dumps(data), encoding="utf-8")
        reference_data_load(path=copy)


def changeform_data(response) -> dict[str, object]:
    """The POST body an admin change form would send back unchanged (main form and inlines)."""
    data: dict[str, object] = {}

    def add_form(form) -> None:
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None:
                data[key] = ""
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)

    add_form(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add_form(formset.management_form)
        for form in formset.forms:
            add_form(form)
    return data
