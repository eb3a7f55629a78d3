"""The public statistics page (French, DSFR, readable without JavaScript), its CSV files, the
admin view and the API give the same figures."""

import csv
import io

from django.utils import timezone

from tests.api.volume import add_volume

URL = "/statistiques/"


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def test_the_page_shows_the_table_charts_and_weekly_table_without_javascript(client, demo):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    today = timezone.localdate()
    assert "<h1>Où en est le programme ?</h1>" in html
    assert "Dossiers en cours de traitement (éligibilité + dépôt de preuves)" in html
    assert "<caption>Données au" in html
    assert html.count("<svg") == 2  # dossiers submitted and payments have data; referencings none
    assert "Aucune donnée sur la période." in html
    assert "32\u202f940,00\u00a0€" in html and "9\u202f882,00\u00a0€" in html
    assert f'href="/statistiques/donnees-par-dsr.csv?date={today.isoformat()}&amp;semaines=26"' in html


def test_the_page_takes_a_past_date_and_refuses_future_and_malformed_ones(client, demo):
    html = client.get(URL, {"date": "2022-03-01"}).content.decode()
    assert "Données au 1 mars 2022" in html
    future = client.get(URL, {"date": "2999-01-01"}).content.decode()
    assert "Les chiffres ne peuvent pas être donnés pour une date future" in future
    bad = client.get(URL, {"date": "hier", "semaines": "x"})
    assert bad.status_code == 200
    assert "Date invalide « hier »" in bad.content.decode()


def test_csv_files_hold_the_tables_shown(client, demo):
    rows = _csv(client.get("/statistiques/donnees-par-dsr.csv", {"date": timezone.localdate().isoformat()}))
    assert rows[0][:3] == [
        "DSR", "Logiciel", "Dossiers en cours de traitement (éligibilité + dépôt de preuves)"
    ]
    sgl = next(r for r in rows if r[0] == "SGL-V1")
    assert sgl[2:] == ["1", "1", "1", "32940.00", "9882.00", "9882.00", "0.00"]
    assert rows[-1][0] == "Total"
    response = client.get("/statistiques/donnees-par-semaine.csv", {"semaines": "4"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    weeks = _csv(response)
    assert weeks[0] == ["Semaine du", "au", "Candidatures déposées", "Référencements accordés",
                        "Versements (nombre)", "Montant versé (€ TTC)"]
    assert len(weeks) == 1 + 4
    assert weeks[-1][4:] == ["1", "9882.00"]


def test_the_api_gives_the_same_figures(client, demo):
    data = client.get("/api/public/statistics/", {"date": "2022-03-01", "weeks": 2}).json()
    assert data["as_of"] == "2022-03-01"
    sgl = next(r for r in data["rows"] if r["dsr"] == "SGL-V1")
    assert (sgl["dossiers_in_progress"], sgl["referenced_editors"]) == (0, 1)
    assert [w["referencings_granted"] for w in data["weeks"]] == [0, 1]
    today = client.get("/api/public/statistics/").json()
    assert today["total"]["committed_ttc"] == "32940.00" and today["total"]["paid_ttc"] == "9882.00"
    assert client.get("/api/public/statistics/", {"date": "2999-01-01"}).status_code == 400


def test_reviewers_see_the_figures_in_the_admin(client, demo):
    for who in ("ans", "asp"):
        client.force_login(demo.users[who])
        index = client.get("/admin/").content.decode()
        assert "/admin/dashboard/programmestatistics/" in index
        response = client.get("/admin/dashboard/programmestatistics/", {"date": "2022-03-01"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Données au 1 mars 2022, par DSR" in html
        assert "donnees-par-dsr.csv?date=2022-03-01" in html
        # No row behind the page: no change, history or delete page.
        assert client.get("/admin/dashboard/programmestatistics/1/change/").status_code == 404
    client.force_login(demo.users["editeur"])
    assert client.get("/admin/dashboard/programmestatistics/").status_code == 302  # to the admin login


def test_page_queries_do_not_grow_with_the_rows(client, demo, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(URL)
    add_volume(demo, rows=40)
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(URL)
    assert response.status_code == 200
    assert len(before.captured_queries) <= 10
