import pytest
from django.urls import reverse

from segur_funding.core.pagination import PER_PAGE
from tests.funding.factories import Scenario


@pytest.mark.django_db
def test_editor_quote_list_is_paginated(reference_data, client):
    scenario = Scenario()
    numbers = [scenario.draft().number for _ in range(PER_PAGE + 1)]
    client.force_login(scenario.editor_user)

    first = client.get(reverse("quotes:editor_list")).content.decode()
    second = client.get(reverse("quotes:editor_list") + "?page=2").content.decode()

    assert "Page suivante" in first and "1 / 2" in first
    assert numbers[-1] in first and numbers[0] not in first  # newest first
    assert numbers[0] in second and "Page précédente" in second
    # A page number out of range or malformed gives the nearest page, not an error.
    assert client.get(reverse("quotes:editor_list") + "?page=999").status_code == 200
    assert client.get(reverse("quotes:editor_list") + "?page=abc").status_code == 200
