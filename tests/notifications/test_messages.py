import pytest
from django.template.loader import get_template

from segur_funding.notifications.constants import KIND_GROUPS, PREFERENCE_OF, NotificationKind
from segur_funding.notifications.messages import (
    MESSAGES,
    missing_keys,
    render_email,
    render_inapp,
    render_subject,
)

# Every key any template reads, with a display value; `eligible`, `failed` and `days_left` are
# the only non-string values a caller passes.
FULL_CONTEXT = {
    "dossier_reference": "REF-2022-0007",
    "solution": "BioLab 4.2",
    "dsr_code": "SGL-V1",
    "editor_name": "Biologiciel SAS",
    "eligible": True,
    "reason": "La preuve EX-12 n'est pas signée",
    "details": "Joindre le PV de recette signé.",
    "due_date": "30/04/2022",
    "submitted_on": "01/02/2022",
    "referenced_on": "01/03/2022",
    "file_name": "preuve.pdf",
    "quote_number": "D-2022-0042",
    "client_name": "Laboratoire BioRhône",
    "state_funding": "32 940,00 €",
    "signed_on": "01/06/2022",
    "delivered_on": "20/09/2022",
    "declared_by": "Claire Dubois",
    "request_reference": "DF-2022-0003",
    "milestone": "avance (30 %)",
    "amount": "9 882,00 €",
    "paid_on": "15/07/2022",
    "deadline": "15/07/2022",
    "title": "Vérification du devis D-2022-0042",
    "outcome": "Devis conforme",
    "failed": False,
    "message": "Pensez à déposer votre demande de solde.",
    "phase": "instruction",
    "days_left": 7,
    "opened_on": "01/04/2022",
    "deadline_label": "signature des commandes",
    "object_label": "Devis D-2022-0042",
    "window_label": "fenêtre de financement 1",
    "organization_name": "Biologiciel SAS",
    "submitted_by": "Paul Durand",
    "iban_masked": "FR76 •••• •••• •••• •••• •••• 189",
    "holder": "BIOLOGICIEL SAS",
    "validated": True,
    "answered_by": "l'équipe Ségur",
    "answer": "Le devis a été corrigé par l'éditeur.",
    "count": 2,
    "total": "19 764,00 €",
    "payments": [
        {
            "request_reference": "DF-2022-0003",
            "milestone": "avance (30 %)",
            "amount": "9 882,00 €",
            "quote_number": "D-2022-0042",
            "paid_on": "15/07/2022",
            "payment_reference": "VIR-0003",
        },
        {
            "request_reference": "DF-2022-0004",
            "milestone": "avance (30 %)",
            "amount": "9 882,00 €",
            "quote_number": "D-2022-0043",
            "paid_on": "15/07/2022",
            "payment_reference": "VIR-0004",
        },
    ],
    "audience": "editor",
}


def test_every_kind_has_its_messages_and_appears_once_on_the_preferences_page():
    assert set(MESSAGES) == set(NotificationKind.values)
    grouped = [kind for _, kinds in KIND_GROUPS for kind in kinds]
    own_preference = [kind for kind in NotificationKind.values if kind not in PREFERENCE_OF]
    assert sorted(grouped) == sorted(own_preference)
    assert all(PREFERENCE_OF[kind] in grouped for kind in PREFERENCE_OF)


@pytest.mark.parametrize("kind", NotificationKind.values)
def test_every_kind_renders_in_french_without_leftovers(kind, settings):
    email = render_email(kind, FULL_CONTEXT, recipient_name="Alice Martin", link="/devis/42/")
    assert "\n" not in email.subject and email.subject
    for text in (email.subject, email.text, email.html, render_inapp(kind, FULL_CONTEXT)):
        assert "{{" not in text and "{%" not in text
    assert email.text.startswith("Bonjour Alice Martin,")
    assert "https://segur.example.fr/devis/42/" in email.text
    assert 'href="https://segur.example.fr/devis/42/"' in email.html
    assert "https://segur.example.fr/notifications/preferences/" in email.text
    assert '<html lang="fr">' in email.html


@pytest.mark.parametrize("kind", NotificationKind.values)
def test_every_kind_renders_with_only_its_required_keys(kind):
    context = {key: FULL_CONTEXT[key] for key in MESSAGES[kind].required}
    email = render_email(kind, context, recipient_name="Alice", link="")
    assert email.subject
    assert render_inapp(kind, context)
    get_template(f"notifications/email/{kind}.txt")


def test_html_is_escaped_and_text_is_not():
    context = {**FULL_CONTEXT, "reason": "<script>alert(1)</script> l'ASP"}
    email = render_email(
        NotificationKind.REQUEST_REFUSED, context, recipient_name="Alice", link="/x/"
    )
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html
    assert "<script>alert(1)</script> l'ASP" in email.text
    assert render_subject(NotificationKind.REQUEST_REFUSED, context).endswith("DF-2022-0003")


def test_subjects_never_carry_a_line_break():
    context = {**FULL_CONTEXT, "title": "Export\r\nBcc: victim@example.org"}
    subject = render_subject(NotificationKind.REPORT_READY, context)
    assert "\n" not in subject and "\r" not in subject


def test_reminder_wording_follows_the_days_left():
    base = {"dossier_reference": "REF-1", "phase": "éligibilité", "deadline": "08/03/2022"}
    overdue = render_inapp(NotificationKind.REMINDER_REVIEW_CLOCK, {**base, "days_left": -2})
    soon = render_inapp(NotificationKind.REMINDER_REVIEW_CLOCK, {**base, "days_left": 1})
    assert "dépassé depuis le 08/03/2022" in overdue
    assert soon == "Dossier REF-1 : délai d'éligibilité au 08/03/2022."


def test_missing_keys_names_what_the_caller_forgot():
    assert missing_keys(NotificationKind.PAYMENT_MADE, {"amount": "1,00 €"}) == [
        "request_reference",
        "milestone",
    ]
