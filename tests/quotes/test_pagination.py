import pytest
from django.urls import reverse

from segur_funding.core.pagination import PER_PAGE, uncounted_page_of
from tests.funding.factories import Scenario


@pytest.mark.django_db
def test_editor_quote_list_is_paginated(reference_data, client):
    scenario = Scenario()
    numbers = [scenario.draft().number for _ in range(PER_PAGE + 1)]
    client.force_login(scenario.editor_user)

    first = client.get(reverse("quotes:editor_list")).content.decode()
    second = client.get(reverse("quotes:editor_list") + "?page=2").content.decode()

    # No total (the editor's quotes are not counted, issue 17): « Page 1 » and a next page.
    assert "Page suivante" in first and "Page 1" in first and "1 / 2" not in first
    assert numbers[-1] in first and numbers[0] not in first  # newest first
    assert numbers[0] in second and "Page précédente" in second and "Page suivante" not in second
    # A page number out of range or malformed gives the nearest page, not an error.
    assert client.get(reverse("quotes:editor_list") + "?page=999").status_code == 200
    assert client.get(reverse("quotes:editor_list") + "?page=abc").status_code == 200


@pytest.mark.django_db
def test_quotes_awaiting_a_request_page_on_their_own(reference_data, client):
    scenario = Scenario()
    numbers = [scenario.signed().number for _ in range(PER_PAGE + 1)]
    client.force_login(scenario.editor_user)
    url = reverse("funding:editor_list")

    first = client.get(url + "?page=1").content.decode()
    second = client.get(url + "?page=1&a_demander=2").content.decode()

    assert numbers[0] in first and numbers[-1] not in first  # oldest signatures first
    # The link to the next page of the to-do list keeps the page of the other list.
    assert "?page=1&amp;a_demander=2" in first
    assert numbers[-1] in second and numbers[0] not in second and "Page 2" in second
    assert client.get(url + "?a_demander=abc").status_code == 200


def test_uncounted_page_reads_one_row_more_than_it_shows(rf):
    rows = list(range(1, 8))

    first = uncounted_page_of(rf.get("/", {"p": "1"}), rows, per_page=3, param="p")
    last = uncounted_page_of(rf.get("/", {"p": "3", "q": "x"}), rows, per_page=3, param="p")
    beyond = uncounted_page_of(rf.get("/", {"p": "9"}), rows, per_page=3, param="p")

    assert first.object_list == [1, 2, 3] and first.has_next() and not first.has_previous()
    assert first.links == {"next": "?p=2"}
    assert last.object_list == [7] and not last.has_next()
    assert last.links == {"first": "?p=1&q=x", "previous": "?p=2&q=x"}
    assert beyond.object_list == [] and beyond.has_previous()
    bad = uncounted_page_of(rf.get("/", {"p": "-4"}), rows, per_page=3, param="p")
    assert bad.number == 1 and bad.object_list == [1, 2, 3]
