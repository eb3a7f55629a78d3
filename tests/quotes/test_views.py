import pytest
from django.urls import reverse
from django.utils import timezone

from segur_funding.quotes.models import Quote, QuoteStatus
from tests.funding.factories import (
    ORDER_DATE,
    STATE_WORDING,
    EditorFactory,
    LabFactory,
    Scenario,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def scenario(reference_data):
    return Scenario()


def line_data(lines: list[tuple[str, str, str, str]], *, blanks: int = 1) -> dict[str, str]:
    data = {"lines-TOTAL_FORMS": str(len(lines) + blanks), "lines-INITIAL_FORMS": "0"}
    for i, (label, scope, dsr, ttc) in enumerate(lines):
        data.update(
            {
                f"lines-{i}-label": label,
                f"lines-{i}-scope": scope,
                f"lines-{i}-dsr_codes": dsr,
                f"lines-{i}-amount_ttc": ttc,
            }
        )
    for i in range(len(lines), len(lines) + blanks):
        data[f"lines-{i}-scope"] = "segur"  # what an untouched blank row posts
    return data


def form_data(scenario, lines, action="check"):
    return {
        "client": scenario.lab.pk,
        "dossier": scenario.dossier.pk,
        "order_date": ORDER_DATE.isoformat(),
        "mentions": "",
        "conditions": "",
        "action": action,
        **line_data(lines),
    }


SEGUR_ONLY = [
    ("Droits d'utilisation", "segur", "SGL-V1", "20000,00"),
    ("Maintenance 6 ans", "segur", "SGL-V1", "12940,00"),
]


def test_check_shows_tier_cap_state_line_and_problems_without_saving(client, scenario):
    client.force_login(scenario.editor_user)
    response = client.post(reverse("quotes:editor_create"), form_data(scenario, SEGUR_ONLY))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tranche B" in page
    assert "32\u202f940,00\u00a0€" in page
    assert "Ligne de prise en charge par l'État à ajouter" in page
    assert "Non conforme" in page
    assert not Quote.objects.exists()


def test_adding_the_suggested_state_line_makes_the_quote_conform(client, scenario):
    client.force_login(scenario.editor_user)
    response = client.post(
        reverse("quotes:editor_create"), form_data(scenario, SEGUR_ONLY, action="add_state_line")
    )
    page = response.content.decode()
    assert STATE_WORDING.replace("'", "&#x27;") in page
    assert "<strong>Conforme</strong>" in page
    assert not Quote.objects.exists()
    # The blank lines offered below are not called incomplete: no error, no error summary.
    assert "Ce champ est obligatoire" not in page and "segur-error-summary" not in page


def test_a_refused_quote_form_lists_its_errors_in_a_summary_linking_to_each_field(client, scenario):
    client.force_login(scenario.editor_user)
    data = form_data(scenario, SEGUR_ONLY, action="check")
    data["dossier"] = ""
    data["lines-0-amount_ttc"] = ""
    page = client.post(reverse("quotes:editor_create"), data).content.decode().replace("&#x27;", "'")
    assert "Le devis n'est ni vérifié ni enregistré" in page
    assert 'href="#id_dossier"' in page and "Solution proposée (dossier de référencement) :" in page
    assert 'href="#id_lines-0-amount_ttc"' in page and "Montant TTC (€), ligne 1 :" in page
    assert not Quote.objects.exists()


def test_save_then_issue_conform_quote(client, scenario):
    client.force_login(scenario.editor_user)
    lines = [*SEGUR_ONLY, (STATE_WORDING, "state_funding", "", "32940,00")]
    response = client.post(reverse("quotes:editor_create"), form_data(scenario, lines, "save"))
    quote = Quote.objects.get()
    assert response.status_code == 302
    assert quote.status == QuoteStatus.DRAFT and quote.is_conform
    assert quote.lines.count() == 3
    response = client.post(reverse("quotes:editor_issue", args=[quote.pk]))
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ISSUED
    assert quote.document["lines"][2]["amount_ttc"] == "32940.00"


def test_non_conform_quote_cannot_be_issued(client, scenario):
    client.force_login(scenario.editor_user)
    client.post(reverse("quotes:editor_create"), form_data(scenario, SEGUR_ONLY, "save"))
    quote = Quote.objects.get()
    response = client.post(reverse("quotes:editor_issue", args=[quote.pk]), follow=True)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DRAFT
    assert "n&#x27;est pas conforme" in response.content.decode()


def test_lab_sees_nothing_to_pay_and_its_cap(client, scenario):
    quote = scenario.issued()
    client.force_login(scenario.lab_user)
    response = client.get(reverse("quotes:lab_detail", args=[quote.pk]))
    page = response.content.decode()
    assert "Vous n'avez rien à payer au titre de la Prestation Ségur" in page
    assert "tranche B" in page
    assert "1\u202f200,00\u00a0€" in page  # the out-of-scope option


def test_lab_downloads_the_check_report_as_pdf(client, scenario):
    quote = scenario.issued()
    client.force_login(scenario.lab_user)
    response = client.get(reverse("quotes:lab_report_pdf", args=[quote.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_lab_signs_a_conform_quote_today(client, scenario, reference_data):
    from segur_funding.quotes.demo import demo_window_ensure

    demo_window_ensure(today=timezone.localdate())
    quote = scenario.issued()
    client.force_login(scenario.lab_user)
    client.post(
        reverse("quotes:lab_sign", args=[quote.pk]),
        {"confirm": "on", "signatory_name": "Dr Claire Martin", "signatory_role": "biologiste responsable",
         "option_6": "accept"},
    )
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SIGNED
    assert quote.window.number == 99
    assert (quote.signatory_name, quote.signatory_role) == ("Dr Claire Martin", "biologiste responsable")


def test_drafts_are_invisible_to_the_lab(client, scenario):
    quote = scenario.draft()
    client.force_login(scenario.lab_user)
    assert client.get(reverse("quotes:lab_detail", args=[quote.pk])).status_code == 404


@pytest.mark.parametrize("name", ["quotes:editor_detail", "quotes:editor_edit", "quotes:editor_pdf"])
def test_another_editor_gets_404(client, scenario, name):
    quote = scenario.issued()
    client.force_login(member(EditorFactory()))
    assert client.get(reverse(name, args=[quote.pk])).status_code == 404
    assert client.post(reverse("quotes:editor_issue", args=[quote.pk])).status_code == 404


@pytest.mark.parametrize("name", ["quotes:lab_detail", "quotes:lab_report_pdf", "quotes:lab_pdf"])
def test_another_lab_gets_404(client, scenario, name):
    quote = scenario.issued()
    client.force_login(member(LabFactory()))
    assert client.get(reverse(name, args=[quote.pk])).status_code == 404
    assert client.post(reverse("quotes:lab_sign", args=[quote.pk]), {"confirm": "on"}).status_code == 404
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ISSUED


def test_anonymous_is_sent_to_login(client, scenario):
    response = client.get(reverse("quotes:lab_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_editor_list_query_budget(client, scenario, django_assert_max_num_queries):
    for _ in range(8):
        scenario.issued()
    client.force_login(scenario.editor_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("quotes:editor_list"))
    assert response.content.decode().count("D-2022-") >= 8


def test_lab_list_query_budget(client, scenario, django_assert_max_num_queries):
    for _ in range(8):
        scenario.issued()
    client.force_login(scenario.lab_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("quotes:lab_list"))
    assert response.content.decode().count("Conforme") >= 8


def test_uploaded_pdf_is_checked_in_the_background(client, scenario, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from segur_funding.quotes.services import quote_pdf_bytes

    quote = scenario.issued()
    pdf = quote_pdf_bytes(quote)
    client.force_login(scenario.lab_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("quotes:lab_upload"),
            {
                "file": SimpleUploadedFile("devis.pdf", pdf, content_type="application/pdf"),
                "editor_name": "Éditeur externe",
            },
        )
    uploaded = Quote.objects.exclude(pk=quote.pk).get()
    assert response.status_code == 302
    assert uploaded.check_status in ("done", "failed")
    page = client.get(reverse("quotes:lab_detail", args=[uploaded.pk])).content.decode()
    assert "Vérification en cours" not in page
    assert uploaded.events.filter(kind="checked").exists()


def test_upload_refuses_what_is_not_a_pdf(client, scenario):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(scenario.lab_user)
    response = client.post(
        reverse("quotes:lab_upload"),
        {
            "file": SimpleUploadedFile("devis.pdf", b"hello", content_type="application/pdf"),
        },
    )
    assert response.status_code == 200
    assert not Quote.objects.exists()


def test_member_of_several_labs_chooses_the_lab_of_an_uploaded_quote(client, scenario):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from segur_funding.organizations.models import Membership
    from segur_funding.quotes.services import quote_pdf_bytes

    other = LabFactory(name="Laboratoire Bis", geographic_sites=3)
    Membership.objects.create(
        user=scenario.lab_user, organization=other, role=Membership.objects.first().role
    )
    pdf = quote_pdf_bytes(scenario.issued())
    client.force_login(scenario.lab_user)
    page = client.get(reverse("quotes:lab_upload")).content.decode()
    assert "Laboratoire destinataire du devis" in page and "Laboratoire Bis" in page

    def upload(**extra):
        return client.post(
            reverse("quotes:lab_upload"),
            {"file": SimpleUploadedFile("devis.pdf", pdf, content_type="application/pdf"), **extra},
        )

    before = Quote.objects.count()
    refused = upload()
    assert refused.status_code == 200
    assert "Laboratoire destinataire du devis" in refused.content.decode()
    assert Quote.objects.count() == before
    assert upload(client=str(other.pk)).status_code == 302
    assert Quote.objects.latest("pk").client == other
