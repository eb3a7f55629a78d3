"""Quote numbers come from a per-editor, per-year counter row (core/numbering.py)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.db import connection, connections

from segur_funding.core.errors import DomainError
from segur_funding.core.models import NumberCounter
from segur_funding.quotes.models import Quote
from segur_funding.quotes.services import quote_create
from tests.funding.factories import Scenario


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.mark.django_db
def test_each_editor_and_year_has_its_own_series(reference_data):
    first, second = Scenario(), Scenario()
    assert first.draft().number == "D-2022-0001"
    assert second.draft().number == "D-2022-0001"
    assert first.draft().number == "D-2022-0002"
    assert first.draft(today=date(2023, 1, 2)).number == "D-2023-0001"
    assert first.draft().number == "D-2022-0003"


@pytest.mark.django_db
def test_numbers_typed_by_hand_are_skipped_and_counting_resumes_after_older_ones(reference_data):
    scenario = Scenario()
    scenario.draft(number="D-2022-0001")
    scenario.draft(number="D-2022-0007")
    # The series starts after the highest number of the year already given (no counter yet).
    assert scenario.draft().number == "D-2022-0008"
    scenario.draft(number="D-2022-0009")
    assert scenario.draft().number == "D-2022-0010"
    assert NumberCounter.objects.get().last == 10


@pytest.mark.django_db
def test_a_refused_creation_gives_its_number_back(reference_data):
    scenario = Scenario()
    with pytest.raises(DomainError):
        quote_create(user=scenario.editor_user, editor=scenario.editor, client=scenario.lab,
                     dsr=scenario.dsr, dossier=scenario.dossier, lines=[], today=date(2022, 3, 1))
    assert scenario.draft().number == "D-2022-0001"


CREATIONS = 12


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_all_get_distinct_numbers_on_postgresql(reference_data):
    if connection.vendor != "postgresql":
        pytest.fail("Test PostgreSQL : lancer avec DATABASE_URL=postgres://… (marqueur postgresql).")
    scenario = Scenario()
    start = threading.Barrier(CREATIONS)

    def create(_: int) -> str:
        try:
            start.wait(timeout=30)
            return scenario.draft().number
        except DomainError as exc:
            return exc.message
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=CREATIONS) as pool:
        numbers = list(pool.map(create, range(CREATIONS)))

    assert sorted(numbers) == [f"D-2022-{n:04d}" for n in range(1, CREATIONS + 1)]
    assert Quote.objects.filter(editor=scenario.editor).count() == CREATIONS
