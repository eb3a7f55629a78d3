from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def reference_data(db):
    """The published reference data (the seven DSRs, SGL and LOINC barèmes and windows)."""
    from segur_funding.referential.services import reference_data_load

    for path in sorted((ROOT / "fixtures" / "reference").glob("*.json")):
        reference_data_load(path=path)
