from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from segur_funding.core.errors import DomainError
from segur_funding.quotes.models import QuoteLine
from tests.funding.factories import Scenario

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def test_quote_numbers_are_unique_per_editor(reference_data):
    scenario = Scenario()
    scenario.draft(number="D-1")
    with pytest.raises(DomainError) as info:
        scenario.draft(number="D-1")
    assert info.value.code == "DUPLICATE_NUMBER"
    other = Scenario()
    assert other.draft(number="D-1").number == "D-1"


def test_database_refuses_negative_amounts(reference_data):
    quote = Scenario().draft()
    with pytest.raises(IntegrityError), transaction.atomic():
        QuoteLine.objects.create(quote=quote, label="x", amount_ttc=Decimal("-1.00"))


def test_numbers_follow_the_year_of_the_order(reference_data):
    scenario = Scenario()
    assert [scenario.draft().number for _ in range(2)] == ["D-2022-0001", "D-2022-0002"]
