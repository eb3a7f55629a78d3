"""API lists: the number of queries does not grow with the number of rows, the large lists walk
by cursor without ever counting, and the pages hold what they say."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.volume import add_volume

# (who, list URL) for every list of the API.
LISTS = [
    ("editeur", "/api/editor/solutions/"),
    ("editeur", "/api/editor/dossiers/"),
    ("editeur", "/api/editor/quotes/"),
    ("editeur", "/api/editor/funding-requests/"),
    ("editeur", "/api/editor/clients/"),
    ("labo", "/api/lab/quotes/"),
    ("ans", "/api/ans/dossiers/"),
    ("asp", "/api/asp/funding-requests/"),
    (None, "/api/public/solutions/"),
    (None, "/api/public/dsrs/"),
    (None, "/api/public/statistics/"),
]
CURSOR_LISTS = [
    ("editeur", "/api/editor/dossiers/"),
    ("editeur", "/api/editor/quotes/"),
    ("editeur", "/api/editor/funding-requests/"),
    ("labo", "/api/lab/quotes/"),
    ("ans", "/api/ans/dossiers/"),
    ("asp", "/api/asp/funding-requests/"),
]


def _queries(client, url: str, **params) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.json()
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize(("who", "url"), LISTS, ids=[u for _, u in LISTS])
def test_list_queries_do_not_grow_with_the_rows(client_for, demo, django_assert_max_num_queries, who, url):
    client = client_for(who)
    before = len(_queries(client, url))
    add_volume(demo, rows=30, referenced=url.startswith("/api/public/"))
    with django_assert_max_num_queries(before):
        response = client.get(url)
    assert response.status_code == 200
    data = response.json()
    if isinstance(data, dict) and "results" in data:
        assert len(data["results"]) > 3  # the new rows are on the page


@pytest.mark.parametrize(("who", "url"), CURSOR_LISTS, ids=[u for _, u in CURSOR_LISTS])
def test_large_lists_walk_by_cursor_without_counting(client_for, demo, who, url):
    add_volume(demo, rows=30)
    client = client_for(who)
    sql = _queries(client, url, page_size=10)
    assert not any("COUNT(" in q.upper() for q in sql), sql
    seen, page, pages = [], client.get(url, {"page_size": 10}).json(), 1
    assert "count" not in page
    while True:
        seen += [row["id"] for row in page["results"]]
        if not page["next"]:
            break
        page = client.get(page["next"]).json()
        pages += 1
    assert seen == sorted(seen, reverse=True)  # newest first, by id
    assert len(seen) == len(set(seen)) >= 15
    assert pages >= 2


def test_cursor_lists_can_go_oldest_first(client_for, demo):
    add_volume(demo, rows=12)
    data = client_for("asp").get("/api/asp/funding-requests/", {"ordering": "id", "page_size": 5}).json()
    ids = [row["id"] for row in data["results"]]
    assert ids == sorted(ids) and len(ids) == 5 and data["next"]


def test_the_dossier_page_does_not_grow_with_its_checklist(client_for, demo, django_assert_max_num_queries):
    from segur_funding.referencing.models import Proof, ProofFile
    from segur_funding.referential.models import Requirement

    dossier = demo.dossier("BioLab SGL")
    client = client_for("editeur")
    url = f"/api/editor/dossiers/{dossier.pk}/"
    before = len(_queries(client, url))
    requirements = Requirement.objects.bulk_create(
        Requirement(dsr_id=dossier.dsr_id, reference=f"VOL-{i}", title="Exigence", position=100 + i)
        for i in range(20)
    )
    proofs = Proof.objects.bulk_create(Proof(dossier=dossier, requirement=r) for r in requirements)
    existing = ProofFile.objects.filter(proof__dossier=dossier).first()
    ProofFile.objects.bulk_create(
        ProofFile(
            proof=p, file=existing.file.name, original_name="x.pdf", content_type="application/pdf",
            size=1, sha256="0" * 64, uploaded_by=demo.users["editeur"],
        )
        for p in proofs
    )
    with django_assert_max_num_queries(before):
        data = client.get(url).json()
    assert len(data["proofs"]) == dossier.proofs.count() > len(requirements)
