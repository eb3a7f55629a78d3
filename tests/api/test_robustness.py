"""Inputs at the edges answer 4xx with a French message, never a server error."""

import pytest

BIG = "9" * 30


@pytest.mark.parametrize(
    ("who", "url"),
    [
        (None, f"/api/public/solutions/?editor={BIG}"),
        ("asp", f"/api/asp/funding-requests/?editor={BIG}"),
        ("asp", f"/api/asp/funding-requests/{BIG}/"),
        ("editeur", f"/api/editor/quotes/?client={BIG}"),
        ("editeur", f"/api/editor/dossiers/{BIG}/"),
        ("editeur", "/api/editor/quotes/?cursor=garbage"),
        (None, "/api/public/statistics/?weeks=99999999999999999999"),
        (None, "/api/public/statistics/?date=0001-01-01"),
    ],
)
def test_out_of_range_identifiers_and_parameters_are_refused(client_for, who, url):
    response = client_for(who).get(url)
    assert response.status_code in (400, 404)
    assert set(response.json()) >= {"code", "message"}


def test_out_of_range_identifiers_in_bodies_are_refused(client_for):
    response = client_for("editeur").post(
        "/api/editor/funding-requests/advance/", {"quote": int(BIG)}, format="json"
    )
    assert response.status_code == 400 and "quote" in response.json()["errors"]
    response = client_for("editeur").post(
        "/api/editor/quotes/", {"client": int(BIG), "dossier": int(BIG), "lines": []}, format="json"
    )
    assert response.status_code == 400 and {"client", "dossier", "lines"} <= set(response.json()["errors"])


def test_a_huge_amount_in_a_checked_document_is_invalid_input(client_for):
    document = {
        "number": "X",
        "dsr": "SGL-V1",
        "client": {"geographic_sites": 2},
        "lines": [{"label": "Droits", "scope": "segur", "amount_ttc": "1e400"}],
    }
    response = client_for(None).post("/api/public/quote-check/", document, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == (
        "lines[0].amount_ttc (ligne 1 du devis) : montant hors limites : « 1e400 »."
    )


def test_a_nul_character_is_refused_before_reaching_the_database(client_for, demo):
    # PostgreSQL refuses NUL in any text: it must never get that far.
    document = {"number": "X", "dsr": "SGL\u0000V1", "client": {"geographic_sites": 2}, "lines": []}
    for who, url in ((None, "/api/public/quote-check/"), ("labo", "/api/lab/quote-check/")):
        response = client_for(who).post(url, document, format="json")
        assert response.status_code == 400 and response.json()["code"] == "PARSE_ERROR"
    response = client_for(None).get("/api/public/solutions/", {"dsr": "SGL\x00"})
    assert response.status_code == 400 and response.json()["code"] == "INVALID_INPUT"
