"""Quotes API: scoping per editor and lab, the check report, commands refused with the services'
messages, PDF upload, and the checker on a JSON document (same report as `check_quote`)."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from segur_funding.core.errors import DomainError
from segur_funding.quotes import services
from segur_funding.quotes.checker import quote_check_file
from segur_funding.quotes.models import Quote, QuoteStatus
from tests.api.demo import upload

EDITOR_QUOTES = "/api/editor/quotes/"
LAB_QUOTES = "/api/lab/quotes/"
EXAMPLES = Path(__file__).resolve().parent.parent / "quotes" / "examples"
PDFS = Path(__file__).resolve().parent.parent / "quotes" / "pdfs"
DENIED = {"code": "PERMISSION_DENIED", "message": "Vous n'avez pas le droit de faire cette action."}

WORDING = "Montant de la Prestation Ségur pris en charge par l'Etat au titre du Ségur"


def conform_body(demo, **overrides) -> dict:
    body = {
        "client": demo.orgs["lab"].pk,
        "dossier": demo.dossier("BioLab SGL").pk,
        "mentions": [],
        "conditions": [],
        "lines": [
            {
                "label": "Droits d'utilisation de la version référencée",
                "scope": "segur",
                "dsr": ["SGL-V1"],
                "amount_ttc": "12000.00",
                "amount_ht": "10000.00",
            },
            {
                "label": "Installation, formation et maintenance 6 ans",
                "scope": "segur",
                "dsr": ["SGL-V1"],
                "amount_ttc": "20940.00",
            },
            {"label": WORDING, "scope": "state_funding", "amount_ttc": "32940.00"},
            {"label": "Module statistiques", "scope": "out_of_scope", "amount_ttc": "1200.00"},
        ],
    }
    body.update(overrides)
    return body


def _numbers(response) -> list[str]:
    return sorted(q["number"] for q in response.json()["results"])


# --- Access -------------------------------------------------------------------------------------


def test_anonymous_gets_401(client_for):
    for url in (EDITOR_QUOTES, LAB_QUOTES, "/api/lab/quote-check/"):
        response = client_for(None).get(url) if "check" not in url else client_for(None).post(url, {})
        assert response.status_code == 401, url


def test_editors_list_only_their_quotes(client_for, demo):
    assert _numbers(client_for("editeur").get(EDITOR_QUOTES)) == [
        "D-DEMO-0001",
        "D-DEMO-0002",
        "D-DEMO-0003",
        "D-DEMO-0004",
    ]
    assert _numbers(client_for("editeur2").get(EDITOR_QUOTES)) == ["D2-DEMO-0001"]


def test_labs_list_the_quotes_addressed_to_them_but_never_drafts(client_for, demo):
    assert _numbers(client_for("labo").get(LAB_QUOTES)) == ["D-DEMO-0001", "D-DEMO-0002", "D-DEMO-0003"]
    assert _numbers(client_for("labo2").get(LAB_QUOTES)) == ["D2-DEMO-0001"]
    draft = demo.quote("D-DEMO-0004")
    assert client_for("labo").get(f"{LAB_QUOTES}{draft.pk}/").status_code == 404


def test_list_filters(client_for, demo):
    editor = client_for("editeur")
    assert _numbers(editor.get(EDITOR_QUOTES, {"status": "draft"})) == ["D-DEMO-0004"]
    assert _numbers(editor.get(EDITOR_QUOTES, {"verdict": "non_conform"})) == ["D-DEMO-0004"]
    assert _numbers(editor.get(EDITOR_QUOTES, {"dsr": "LOINC-V1"})) == []
    oldest_first = editor.get(EDITOR_QUOTES, {"ordering": "id"}).json()["results"]
    assert oldest_first[0]["number"] == "D-DEMO-0001"
    assert editor.get(EDITOR_QUOTES, {"verdict": "maybe"}).status_code == 400


def test_another_organisations_quote_answers_404(client_for, demo):
    quote = demo.quote("D-DEMO-0001")
    assert client_for("editeur2").get(f"{EDITOR_QUOTES}{quote.pk}/").status_code == 404
    assert client_for("editeur2").post(f"{EDITOR_QUOTES}{quote.pk}/cancel/").status_code == 404
    assert client_for("labo2").get(f"{LAB_QUOTES}{quote.pk}/").status_code == 404
    response = client_for("labo2").post(f"{LAB_QUOTES}{quote.pk}/sign/")
    assert response.status_code == 404
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ISSUED


@pytest.mark.parametrize("who", ["ans", "asp", "labo"])
def test_non_editors_cannot_use_the_editor_quote_endpoints(client_for, who):
    response = client_for(who).get(EDITOR_QUOTES)
    assert (response.status_code, response.json()) == (403, DENIED)


@pytest.mark.parametrize("who", ["ans", "asp", "editeur"])
def test_non_labs_cannot_use_the_lab_quote_endpoints(client_for, who):
    assert client_for(who).get(LAB_QUOTES).status_code == 403
    assert client_for(who).post("/api/lab/quote-check/", {}, format="json").status_code == 403


def test_lab_reads_a_quote_with_its_check_report(client_for, demo):
    quote = demo.quote("D-DEMO-0001")
    data = client_for("labo").get(f"{LAB_QUOTES}{quote.pk}/").json()
    assert data["status"] == "issued" and data["verdict"] == "conform"
    assert data["check_report"] == quote.check_report
    assert data["check_report"]["client_remainder_ttc"] == "0.00"
    assert data["check_report"]["tier"] == "B"
    assert [line["label"] for line in data["lines"]][:1] == ["Droits d'utilisation de la version référencée"]
    assert "funding" not in data


def test_editor_detail_shows_what_funding_can_be_asked(client_for, demo):
    quote = demo.quote("D-DEMO-0003")
    funding = client_for("editeur").get(f"{EDITOR_QUOTES}{quote.pk}/").json()["funding"]
    assert funding["advance_amount"] == "9882.00" and funding["balance_amount"] == "23058.00"
    assert funding["can_file_balance"] is True and funding["can_file_advance"] is False


# --- Commands -----------------------------------------------------------------------------------


def _service_message(call) -> str:
    sid = transaction.savepoint()
    try:
        with pytest.raises(DomainError) as refusal:
            call()
    finally:
        transaction.savepoint_rollback(sid)
    return refusal.value.message


def test_issuing_a_non_conform_draft_is_refused_with_the_services_message(client_for, demo):
    draft = demo.quote("D-DEMO-0004")
    expected = _service_message(lambda: services.quote_issue(quote=draft, user=demo.users["editeur"]))
    response = client_for("editeur").post(f"{EDITOR_QUOTES}{draft.pk}/issue/")
    assert response.status_code == 400
    assert response.json() == {"code": "NOT_CONFORM", "message": expected}
    assert expected.startswith("Ce devis n'est pas conforme : corrigez-le avant de l'émettre.")


SIGNATORY = {"signatory_name": "Dr Claire Martin", "signatory_role": "biologiste responsable"}


def test_signing_twice_is_refused_in_french(client_for, demo):
    signed = demo.quote("D-DEMO-0002")
    response = client_for("labo").post(f"{LAB_QUOTES}{signed.pk}/sign/", SIGNATORY, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "ILLEGAL_TRANSITION",
        "message": "Ce devis est « Signé par le client » : il ne peut pas être signé.",
    }


def test_editor_writes_corrects_and_issues_a_quote(client_for, demo):
    editor = client_for("editeur")
    created = editor.post(EDITOR_QUOTES, conform_body(demo, number="D-API-0001"), format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["number"], data["status"], data["verdict"]) == ("D-API-0001", "draft", "conform")
    assert data["dsr"] == "SGL-V1"
    assert data["check_report"]["state_funding_ttc"] == "32940.00"

    # Correct the non-conform demo draft (its remainder) with a full replacement of its lines.
    draft = demo.quote("D-DEMO-0004")
    updated = editor.put(f"{EDITOR_QUOTES}{draft.pk}/", conform_body(demo), format="json")
    assert updated.status_code == 200, updated.json()
    assert updated.json()["verdict"] == "conform" and updated.json()["number"] == "D-DEMO-0004"
    issued = editor.post(f"{EDITOR_QUOTES}{draft.pk}/issue/")
    assert issued.status_code == 200 and issued.json()["status"] == "issued"
    assert client_for("labo").get(f"{LAB_QUOTES}{draft.pk}/").status_code == 200

    modified_after_issue = editor.put(f"{EDITOR_QUOTES}{draft.pk}/", conform_body(demo), format="json")
    assert modified_after_issue.status_code == 400
    assert modified_after_issue.json() == {
        "code": "NOT_DRAFT",
        "message": "Seul un brouillon peut être modifié.",
    }


def test_quote_input_is_validated_field_by_field(client_for, demo):
    body = conform_body(demo, dossier=demo.dossier("LabSoft SGL").pk)  # another editor's dossier
    body["lines"][0]["amount_ttc"] = "-5"
    response = client_for("editeur").post(EDITOR_QUOTES, body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert response.json()["code"] == "INVALID_INPUT"
    assert set(errors) == {"dossier", "lines"}
    assert not Quote.objects.filter(number="").exists()


def test_lab_declares_delivery_not_before_signature(client_for, demo):
    signed = demo.quote("D-DEMO-0002")
    response = client_for("labo").post(
        f"{LAB_QUOTES}{signed.pk}/delivery/", {"delivered_on": "2000-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith(
        "La mise en ordre de marche ne peut pas précéder la signature du devis"
    )
    done = client_for("labo").post(f"{LAB_QUOTES}{signed.pk}/delivery/", {}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "delivered"


def test_lab_uploads_a_pdf_quote_and_gets_the_checkers_report(
    client_for, demo, django_capture_on_commit_callbacks
):
    path = PDFS / "lo_sgl_conform.pdf"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("labo").post(
            LAB_QUOTES,
            {
                "file": upload("devis.pdf", path.read_bytes()),
                "dsr": "SGL-V1",
                "editor_name": "Éditeur X",
                "referenced_on": "2022-03-01",
                "proofs_complete_on": "2022-02-01",
            },
            format="multipart",
        )
    assert response.status_code == 201, response.json()
    assert response.json()["check_status"] == "pending"  # checked after commit
    quote = Quote.objects.get(pk=response.json()["id"])
    data = client_for("labo").get(f"{LAB_QUOTES}{quote.pk}/").json()
    expected = quote_check_file(
        path,
        overrides={
            "dsr": "SGL-V1",
            "geographic_sites": 12,
            "referenced_on": "2022-03-01",
            "proofs_complete_on": "2022-02-01",
        },
    ).to_dict()
    assert data["check_status"] == "done"
    assert data["check_report"] == expected
    assert data["origin"] == "uploaded" and data["editor_name"] == "Éditeur X"
    assert client_for("labo2").get(f"{LAB_QUOTES}{quote.pk}/").status_code == 404


def test_lab_upload_refuses_a_file_that_is_not_a_pdf(client_for, demo):
    response = client_for("labo").post(
        LAB_QUOTES, {"file": upload("devis.pdf", b"<html>devis</html>")}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {"code": "INVALID_INPUT", "message": "Le fichier déposé n'est pas un PDF."}


# --- The checker on a JSON document -------------------------------------------------------------


def _command_report(path: Path) -> dict:
    out = StringIO()
    try:
        call_command("check_quote", str(path), "--format", "json", stdout=out)
    except SystemExit:
        pass  # exit status 1 for a non-conform quote
    return json.loads(out.getvalue())


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_public_and_lab_checkers_answer_what_check_quote_prints(client_for, demo, path):
    document = json.loads(path.read_text(encoding="utf-8"))
    public = client_for(None).post("/api/public/quote-check/", document, format="json")
    lab = client_for("labo").post("/api/lab/quote-check/", document, format="json")
    if public.status_code == 400:  # a document the checker cannot read at all
        assert public.json()["code"] == "INVALID_INPUT" and lab.json() == public.json()
        return
    assert public.status_code == 200, public.json()
    assert public.json() == _command_report(path)
    assert lab.json() == public.json()


def test_public_checker_refuses_unreadable_documents_in_french(client_for):
    client = client_for(None)
    response = client.post("/api/public/quote-check/", [1, 2], format="json")
    assert response.json() == {
        "code": "INVALID_INPUT",
        "message": "Le devis doit être un objet JSON (entre accolades).",
    }
    response = client.post("/api/public/quote-check/", "{oops", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "PARSE_ERROR"
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/public/quote-check/", deep, content_type="application/json")
    assert response.status_code == 400


def test_public_checker_is_throttled_at_60_a_minute(client_for):
    client = client_for(None)
    statuses = [client.post("/api/public/quote-check/", {}, format="json").status_code for _ in range(61)]
    assert statuses[:60] == [400] * 60
    assert statuses[60] == 429
    response = client.post("/api/public/quote-check/", {}, format="json")
    assert response.json()["code"] == "THROTTLED"
    assert response.json()["message"].startswith("Trop de requêtes : réessayez dans ")


def test_quote_detail_lists_the_moves_of_the_workflow_table(client_for, demo):
    signed = demo.quote("D-DEMO-0002")
    detail = client_for("labo").get(f"{LAB_QUOTES}{signed.pk}/").json()
    assert detail["next_actions"] == {"declare_delivery": "lab"}
    draft = demo.quote("D-DEMO-0004")
    detail = client_for("editeur").get(f"{EDITOR_QUOTES}{draft.pk}/").json()
    assert detail["next_actions"] == {"issue": "editor", "cancel": "editor"}


# A huge integer is a number the checker refuses naming the field; an infinite one (1e400) never
# reaches it: the input-hygiene layer refuses it for every JSON body of the API.
@pytest.mark.parametrize(
    ("field", "value", "code", "start"),
    [
        ("amount_ttc", "9" * 5000, "INVALID_INPUT", "lines[0].amount_ttc"),
        ("amount_ttc", "1e400", "PARSE_ERROR", "Corps de requête illisible : nombre hors limites"),
        ("amount_ht", "-1" + "0" * 4400, "INVALID_INPUT", "lines[0].amount_ht"),
    ],
)
def test_checker_refuses_huge_or_malformed_numbers_with_a_french_400(client_for, field, value, code, start):
    document = json.loads((EXAMPLES / "sgl_conform_tier_b.json").read_text(encoding="utf-8"))
    body = json.dumps(document).replace('"12000.00"', "__N__", 1)
    body = (
        body.replace("__N__", value)
        if field == "amount_ttc"
        else json.dumps(document).replace('"10000.00"', value, 1)
    )
    for who, url in ((None, "/api/public/quote-check/"), ("labo", "/api/lab/quote-check/")):
        response = client_for(who).post(url, body, content_type="application/json")
        assert response.status_code == 400, response.content[:200]
        answer = response.json()
        assert answer["code"] == code
        assert answer["message"].startswith(start)
        assert len(answer["message"]) < 250


def test_checker_reads_an_absent_referencing_from_the_platforms_referenced_solutions(client_for, demo):
    document = json.loads((EXAMPLES / "sgl_conform_tier_b.json").read_text(encoding="utf-8"))
    del document["referencing"]
    client = client_for(None)

    unknown = client.post("/api/public/quote-check/", document, format="json").json()
    assert unknown["verdict"] == "incomplete"
    assert [f["code"] for f in unknown["findings"]] == ["REFERENCING_UNKNOWN"]

    document["lines"][0]["label"] = "Droits d'utilisation BioLab SGL 5.2 (version référencée)"
    known = client.post("/api/public/quote-check/", document, format="json").json()
    assert known["verdict"] == "conform", known["findings"]
    (finding,) = known["findings"]
    assert (finding["code"], finding["severity"]) == ("REFERENCING_FROM_PLATFORM", "warning")
    assert "BioLab SGL 5.2" in finding["message"] and "01/03/2022" in finding["message"]


def test_lab_signs_through_the_api_with_its_signatory_and_a_declined_option(client_for, demo):
    editor, lab = client_for("editeur"), client_for("labo")
    quote = editor.post(EDITOR_QUOTES, conform_body(demo, number="D-API-0300"), format="json").json()
    assert editor.post(f"{EDITOR_QUOTES}{quote['id']}/issue/").json()["status"] == "issued"
    sign = f"{LAB_QUOTES}{quote['id']}/sign/"
    assert lab.get(f"{LAB_QUOTES}{quote['id']}/signed-pdf/").status_code == 404

    segur = lab.post(sign, {**SIGNATORY, "declined_lines": [4, 1]}, format="json")
    assert segur.status_code == 400
    assert segur.json()["code"] == "SEGUR_NOT_OPTIONAL"
    assert "La ligne n° 1 « Droits d'utilisation de la version référencée » fait partie de la " \
        "Prestation Ségur" in segur.json()["message"]
    nobody = lab.post(sign, {"declined_lines": [4]}, format="json")
    assert nobody.status_code == 400
    assert nobody.json()["code"] == "INVALID_INPUT"
    assert set(nobody.json()["errors"]) == {"signatory_name", "signatory_role"}
    assert Quote.objects.get(pk=quote["id"]).status == QuoteStatus.ISSUED

    signed = lab.post(sign, {**SIGNATORY, "declined_lines": [4]}, format="json")
    assert signed.status_code == 200, signed.json()
    body = signed.json()
    assert (body["status"], body["signatory_name"], body["signatory_role"]) == (
        "signed", "Dr Claire Martin", "biologiste responsable"
    )
    assert [line["declined"] for line in body["lines"]] == [False, False, False, True]
    pdf = lab.get(f"{LAB_QUOTES}{quote['id']}/signed-pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert editor.get(f"{EDITOR_QUOTES}{quote['id']}/signed-pdf/").status_code == 200
