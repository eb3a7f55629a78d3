"""Inputs at the edges answer 4xx with a French message, never a server error."""

import json

import pytest

from tests.api.demo import upload
from tests.conftest import ROOT

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


# --- One hygiene layer for every door (core/hygiene.py) ----------------------------------------

CHECK_DOCUMENT = '{"number": "X", "dsr": "SGL\\ud800V1", "client": {"geographic_sites": 2}, "lines": []}'


def test_a_lone_surrogate_is_refused_in_french_by_both_checkers(client_for, demo):
    # Valid JSON, but no UTF-8 for it: the checker's lookup of the DSR crashed on it.
    for who, url in ((None, "/api/public/quote-check/"), ("labo", "/api/lab/quote-check/")):
        response = client_for(who).post(url, CHECK_DOCUMENT, content_type="application/json")
        assert response.status_code == 400, url
        assert response.json() == {
            "code": "PARSE_ERROR",
            "message": "Corps de requête illisible : caractère Unicode invalide "
            "(demi-paire de substitution isolée).",
        }


@pytest.mark.parametrize("field", ["client", "dossier"])
def test_an_infinite_id_in_a_quote_is_refused(client_for, demo, field):
    from tests.api.test_quotes_api import conform_body

    body = json.dumps(conform_body(demo, **{field: 424242})).replace("424242", "1e400")
    response = client_for("editeur").post("/api/editor/quotes/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"] == (
        "Corps de requête illisible : nombre hors limites (infini ou non numérique)."
    )


def test_an_infinite_solution_version_in_a_dossier_is_refused(client_for, demo):
    body = '{"solution_version": 1e400, "dsr": "LOINC-V1", "contact_name": "A", "contact_email": "a@b.fr"}'
    response = client_for("editeur").post("/api/editor/dossiers/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "PARSE_ERROR"


@pytest.mark.parametrize("value", [0.5, "1.5", True, "1e3", -1])
def test_a_fractional_or_odd_id_is_refused_not_rounded(client_for, demo, value):
    from segur_funding.quotes.models import Quote
    from tests.api.test_quotes_api import conform_body

    dossier = demo.dossier("BioLab SGL").pk
    if isinstance(value, float):
        value = dossier + value  # int() would make it the editor's own dossier
    before = Quote.objects.count()
    response = client_for("editeur").post(
        "/api/editor/quotes/", conform_body(demo, dossier=value), format="json"
    )
    assert response.status_code == 400, response.json()
    assert set(response.json()["errors"]) == {"dossier"}
    assert Quote.objects.count() == before


def test_a_fractional_solution_version_is_refused(client_for, demo):
    from segur_funding.referencing.models import SolutionVersion

    version = SolutionVersion.objects.filter(solution__editor=demo.orgs["editor"]).first()
    response = client_for("editeur").post(
        "/api/editor/dossiers/",
        {"solution_version": version.pk + 0.25, "dsr": "LOINC-V1", "contact_name": "A",
         "contact_email": "editeur@demo.test"},
        format="json",
    )
    assert response.status_code == 400 and set(response.json()["errors"]) == {"solution_version"}


def test_an_over_long_string_is_refused_everywhere(client_for, demo):
    huge = "A" * 50_001
    response = client_for(None).get("/api/public/solutions/", {"dsr": huge})
    assert response.status_code == 400
    assert response.json() == {
        "code": "INVALID_INPUT",
        "message": "Paramètre « dsr » : texte trop long (plus de 50000 caractères).",
    }
    document = {"number": "X", "dsr": "SGL-V1", "client": {"geographic_sites": 2},
                "lines": [{"label": huge, "scope": "segur", "amount_ttc": "1.00"}]}
    response = client_for(None).post("/api/public/quote-check/", document, format="json")
    assert response.status_code == 400 and response.json()["code"] == "PARSE_ERROR"


def test_a_nul_character_in_a_multipart_field_is_refused(client_for, demo):
    from segur_funding.quotes.models import Quote

    before = Quote.objects.count()
    response = client_for("labo").post(
        "/api/lab/quotes/", {"file": upload("devis.pdf"), "dsr": "SGL\x00V1"}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "INVALID_INPUT",
        "message": "Champ « dsr » : caractère nul (\\u0000) interdit.",
    }
    assert Quote.objects.count() == before


def test_a_web_page_answers_a_french_400_page_to_a_nul_character(demo):
    from django.test import Client

    response = Client().get("/referencement/solutions-referencees/", {"dsr": "SGL\x00"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Saisie refusée" in body and "Paramètre « dsr » : caractère nul" in body


# --- The same on PostgreSQL, where NUL and over-long text fail in the database itself ----------


@pytest.fixture
def on_postgresql(demo):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.fail("Test PostgreSQL : lancer avec DATABASE_URL=postgres://… (marqueur postgresql).")


@pytest.mark.postgresql
@pytest.mark.parametrize(
    ("who", "url", "data"),
    [
        ("labo", "/api/lab/quotes/", {"dsr": "SGL\x00V1"}),
        ("labo", "/api/lab/quotes/", {"editor_name": "É\x00"}),
        ("labo", "/api/lab/quotes/", {"dsr": "S" * 50_001}),
    ],
)
def test_multipart_fields_are_refused_before_postgresql_sees_them(on_postgresql, client_for, who, url, data):
    response = client_for(who).post(url, {"file": upload("devis.pdf"), **data}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_INPUT" and response.json()["message"].startswith("Champ « ")


@pytest.mark.postgresql
def test_json_and_query_strings_are_refused_before_postgresql_sees_them(on_postgresql, client_for):
    for who, url in ((None, "/api/public/quote-check/"), ("labo", "/api/lab/quote-check/")):
        response = client_for(who).post(url, CHECK_DOCUMENT, content_type="application/json")
        assert response.status_code == 400 and response.json()["code"] == "PARSE_ERROR"
        nul = CHECK_DOCUMENT.replace("\\ud800", "\\u0000")
        response = client_for(who).post(url, nul, content_type="application/json")
        assert response.status_code == 400 and response.json()["code"] == "PARSE_ERROR"
    response = client_for("editeur").get("/api/editor/quotes/", {"number": "D\x00"})
    assert response.status_code == 400 and response.json()["code"] == "INVALID_INPUT"
    response = client_for(None).get("/referencement/solutions-referencees/", {"dsr": "\x00"})
    assert response.status_code == 400


def test_a_web_form_with_a_nul_character_gets_the_french_400_page(db):
    from django.test import Client

    # Refused before the login form and django-axes (which records attempts) see it.
    response = Client().post("/connexion/", {"username": "editeur\x00@demo.test", "password": "x"})
    assert response.status_code == 400
    assert "Champ « username » : caractère nul" in response.content.decode()


def test_the_checker_on_a_database_missing_a_migration_says_to_migrate(client_for, migration_rolled_back):
    document = json.loads(
        (ROOT / "tests" / "quotes" / "examples" / "sgl_conform_tier_b.json").read_text(encoding="utf-8")
    )
    response = client_for(None).post("/api/public/quote-check/", document, format="json")
    assert response.status_code == 500
    assert response.json() == {
        "code": "DATABASE_NOT_MIGRATED",
        "message": "La base de données n'est pas à jour : lancez make setup (ou manage.py migrate).",
    }
