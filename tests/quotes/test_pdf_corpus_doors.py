"""One checker, three doors: on every corpus PDF the lab page, the API and `check_quote` give
the same report (or, for a PDF that cannot be read, the same French refusal).

The upload check runs in a Celery task after commit (eager here); the page and the API show
the report it stored.
"""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from segur_funding.organizations.models import Organization
from segur_funding.quotes.models import Quote
from segur_funding.referential.models import Dsr
from tests.funding.factories import Scenario

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
OPTIONS = {
    "--dsr": "dsr",
    "--sites": "sites",
    "--referenced-on": "referenced_on",
    "--proofs-complete-on": "proofs_complete_on",
    "--order-date": "order_date",
    "--signature-date": "signature_date",
}


def context(args: list[str]) -> dict[str, str]:
    return {OPTIONS[option]: value for option, value in zip(args[::2], args[1::2], strict=True)}


def command(path: Path, args: list[str]) -> tuple[int, dict | str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("check_quote", str(path), *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, json.loads(out.getvalue()) if out.getvalue() else err.getvalue().strip()


def stored(quote: Quote) -> dict | str:
    quote.refresh_from_db()
    return quote.check_report if quote.check_status == "done" else quote.check_error


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_lab_page_api_and_command_give_the_same_report(
    name, reference_data, settings, tmp_path, client, django_capture_on_commit_callbacks
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    scenario = Scenario()
    args = EXPECTED[name]["args"]
    given = context(args)
    # The upload takes the number of sites from the lab's record; absent there, from the PDF.
    Organization.objects.filter(pk=scenario.lab.pk).update(geographic_sites=given.pop("sites", None))
    data = (CORPUS / "pdfs" / name).read_bytes()

    client.force_login(scenario.lab_user)
    form = {key: value for key, value in given.items() if key != "dsr"}
    if "dsr" in given:
        form["dsr"] = Dsr.objects.get(code=given["dsr"]).pk
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("quotes:lab_upload"),
            {"file": SimpleUploadedFile(name, data, content_type="application/pdf"), **form},
        )
    if EXPECTED[name].get("invalid"):
        # A PDF that asks for a password is refused at once, nothing stored, by every door.
        _assert_refused_everywhere(name, data, args, page, given, scenario.lab_user)
        return
    assert page.status_code == 302
    from_page = Quote.objects.get(pk=int(page.url.rstrip("/").split("/")[-1]))
    shown = client.get(page.url).content.decode()
    assert "Vérification en cours" not in shown

    api = APIClient()
    api.force_authenticate(scenario.lab_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/lab/quotes/",
            {"file": SimpleUploadedFile(name, data, content_type="application/pdf"), **given},
            format="multipart",
        )
    assert response.status_code == 201, response.json()
    detail = api.get(f"/api/lab/quotes/{response.json()['id']}/").json()
    from_api = detail["check_report"] if detail["check_status"] == "done" else detail["check_error"]

    status, from_command = command(CORPUS / "pdfs" / name, args)
    assert stored(from_page) == from_api == from_command
    assert status == (0 if from_command["verdict"] == "conform" else 1)


def _assert_refused_everywhere(name, data, args, page, given, user) -> None:
    from html import unescape

    status, from_command = command(CORPUS / "pdfs" / name, args)
    assert status == 2
    assert EXPECTED[name]["message_contains"] in from_command
    assert page.status_code == 200
    assert from_command in unescape(page.content.decode())
    api = APIClient()
    api.force_authenticate(user)
    response = api.post(
        "/api/lab/quotes/",
        {"file": SimpleUploadedFile(name, data, content_type="application/pdf"), **given},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["message"] == from_command
    assert not Quote.objects.filter(origin="uploaded").exists()
