"""« Mon espace »: after login each person lands on what waits for them, each task a link to the
page where they act, and never a count or a payment of another organisation."""

import re

from django.urls import reverse

from segur_funding.funding.constants import AWAITING_ASP
from segur_funding.funding.models import FundingRequest, Payment
from segur_funding.quotes.models import Quote, QuoteStatus

URL = "/mon-espace/"


def _page(client, demo, who: str) -> str:
    client.force_login(demo.users[who])
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    return response.content.decode()


def _tile(html: str, label: str) -> str:
    """The count line of the tile titled `label`."""
    match = re.search(rf">{re.escape(label)}</a></h3>\s*<p class=\"fr-tile__detail\"><strong>([^<]+)<", html)
    assert match, f"tuile « {label} » absente"
    return match.group(1)


def _expected(count: int) -> str:
    return f"{count} à traiter" if count else "Rien à traiter"


def test_login_lands_on_my_space(client, demo):
    response = client.post(reverse("login"), {"username": "labo@demo.test", "password": "demo-password"})
    assert response.status_code == 302 and response.url == URL


def test_the_lab_sees_its_quotes_to_sign_deliveries_and_the_funding_of_its_quotes(client, demo):
    lab = demo.orgs["lab"]
    html = _page(client, demo, "labo")
    to_sign = Quote.objects.filter(client=lab, status=QuoteStatus.ISSUED).count()
    to_deliver = Quote.objects.filter(client=lab, status=QuoteStatus.SIGNED).count()
    assert _tile(html, "Devis à vérifier et à signer") == _expected(to_sign)
    assert _tile(html, "Prestations à déclarer en ordre de marche") == _expected(to_deliver)
    assert f'href="{reverse("quotes:lab_list")}"' in html
    payments = Payment.objects.filter(quote__client=lab)
    assert payments.exists(), "la démo verse une avance pour un devis de labo@demo.test"
    for payment in payments:
        assert reverse("quotes:lab_detail", args=[payment.quote_id]) in html
    # The other lab's page shows none of these payments.
    other = _page(client, demo, "labo2")
    for payment in payments:
        assert reverse("quotes:lab_detail", args=[payment.quote_id]) not in other


def test_the_editor_sees_its_requests_to_file_and_its_next_deadlines(client, demo):
    html = _page(client, demo, "editeur")
    assert "Demandes de financement à déposer" in html
    assert f'href="{reverse("funding:editor_list")}"' in html
    assert "Prochaines échéances" in html
    assert "Mon organisation : membres et invitations" in html


def test_asp_sees_its_queue_with_links_to_the_admin(client, demo):
    html = _page(client, demo, "asp")
    waiting = FundingRequest.objects.filter(status__in=AWAITING_ASP).count()
    assert _tile(html, "Demandes de financement à instruire") == _expected(waiting)
    assert f"{reverse('admin:funding_fundingrequest_changelist')}?file=decision" in html
    assert "Instruction ANS" not in html


def test_ans_sees_dossiers_to_instruct(client, demo):
    html = _page(client, demo, "ans")
    assert "Dossiers à instruire" in html and "Dossiers en retard" in html
    assert "Instruction ASP" not in html


def test_a_person_without_organisation_is_told_how_to_get_one(client, demo):
    from segur_funding.organizations.models import User

    loner = User.objects.create_user(email="seul@test.example", password="x" * 16)
    client.force_login(loner)
    html = client.get(URL).content.decode()
    assert "demandez l'ouverture d'un compte" in html


def test_anonymous_visitors_are_sent_to_login(client, demo):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
