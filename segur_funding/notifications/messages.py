"""What each kind says: subject, in-app one-liner, the context keys it needs, and the e-mail.

Subjects and one-liners are short Django templates kept here, side by side, so that a reader sees
every message at once; the e-mail bodies are files, `notifications/email/<kind>.txt` and
`.html`, both extending a common layout. Context values are display values prepared by the caller
(French dates "15/07/2022", amounts "32 940,00 €", labels), never model instances.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.template import Context, Engine, Template
from django.template.loader import render_to_string
from django.urls import reverse

from .constants import NotificationKind as K


@dataclass(frozen=True, slots=True)
class KindMessages:
    subject: str
    inapp: str
    # Keys the caller must put in the context; the templates use more when they are given.
    required: tuple[str, ...]


MESSAGES: dict[str, KindMessages] = {
    K.CANDIDATURE_RECEIVED: KindMessages(
        subject="Candidature reçue — dossier {{ dossier_reference }}",
        inapp="Candidature reçue pour le dossier {{ dossier_reference }}"
        "{% if solution %} ({{ solution }}){% endif %}.",
        required=("dossier_reference",),
    ),
    K.ELIGIBILITY_DECIDED: KindMessages(
        subject="{% if eligible %}Candidature éligible{% else %}Candidature non éligible"
        "{% endif %} — dossier {{ dossier_reference }}",
        inapp="Dossier {{ dossier_reference }} : candidature "
        "{% if eligible %}éligible, vous pouvez déposer vos preuves{% else %}non éligible"
        "{% endif %}.",
        required=("dossier_reference", "eligible"),
    ),
    K.PROOFS_SUBMITTED: KindMessages(
        subject="Dossier de preuves déposé — dossier {{ dossier_reference }}",
        inapp="Le dossier de preuves {{ dossier_reference }} est déposé et attend l'instruction.",
        required=("dossier_reference",),
    ),
    K.CORRECTION_REQUESTED: KindMessages(
        subject="Correction demandée — dossier {{ dossier_reference }}",
        inapp="Correction demandée sur le dossier {{ dossier_reference }} : {{ reason }}",
        required=("dossier_reference", "reason"),
    ),
    K.PROOFS_RESUBMITTED: KindMessages(
        subject="Preuves corrigées déposées — dossier {{ dossier_reference }}",
        inapp="Preuves corrigées déposées sur le dossier {{ dossier_reference }}.",
        required=("dossier_reference",),
    ),
    K.REFERENCING_GRANTED: KindMessages(
        subject="Référencement accordé — {{ solution|default:dossier_reference }}",
        inapp="Référencement accordé : {{ solution|default:dossier_reference }}"
        "{% if dsr_code %} ({{ dsr_code }}){% endif %}.",
        required=("dossier_reference",),
    ),
    K.REFERENCING_REFUSED: KindMessages(
        subject="Référencement refusé — {{ solution|default:dossier_reference }}",
        inapp="Référencement refusé : {{ solution|default:dossier_reference }}"
        "{% if dsr_code %} ({{ dsr_code }}){% endif %}.",
        required=("dossier_reference",),
    ),
    K.PROOF_FILE_INFECTED: KindMessages(
        subject="Fichier rejeté par l'antivirus — dossier {{ dossier_reference }}",
        inapp="Le fichier « {{ file_name }} » du dossier {{ dossier_reference }} a été rejeté "
        "par l'antivirus.",
        required=("dossier_reference", "file_name"),
    ),
    K.QUOTE_RECEIVED: KindMessages(
        subject="Nouveau devis Ségur à examiner — {{ quote_number }}",
        inapp="Devis {{ quote_number }} reçu{% if editor_name %} de {{ editor_name }}{% endif %} :"
        " vérifiez-le avant de le signer.",
        required=("quote_number",),
    ),
    K.QUOTE_SIGNED: KindMessages(
        subject="Devis signé — {{ quote_number }}",
        inapp="Devis {{ quote_number }} signé{% if client_name %} par {{ client_name }}"
        "{% endif %}{% if signed_on %} le {{ signed_on }}{% endif %}.",
        required=("quote_number",),
    ),
    K.DELIVERY_DECLARED: KindMessages(
        subject="Prestation déclarée réalisée — devis {{ quote_number }}",
        inapp="Prestation du devis {{ quote_number }} déclarée réalisée"
        "{% if delivered_on %} le {{ delivered_on }}{% endif %}.",
        required=("quote_number",),
    ),
    K.REQUEST_SUBMITTED: KindMessages(
        subject="Demande de financement déposée — {{ request_reference }} ({{ milestone }})",
        inapp="Demande {{ request_reference }} ({{ milestone }}) déposée"
        "{% if editor_name %} par {{ editor_name }}{% endif %}.",
        required=("request_reference", "milestone"),
    ),
    K.REQUEST_VALIDATED: KindMessages(
        subject="Demande de financement validée — {{ request_reference }}",
        inapp="Demande {{ request_reference }} ({{ milestone }}) validée par l'ASP.",
        required=("request_reference", "milestone"),
    ),
    K.REQUEST_TO_MODIFY: KindMessages(
        subject="Demande de financement à modifier — {{ request_reference }}",
        inapp="Demande {{ request_reference }} ({{ milestone }}) à modifier"
        "{% if reason %} : {{ reason }}{% endif %}",
        required=("request_reference", "milestone"),
    ),
    K.REQUEST_REFUSED: KindMessages(
        subject="Demande de financement refusée — {{ request_reference }}",
        inapp="Demande {{ request_reference }} ({{ milestone }}) refusée"
        "{% if reason %} : {{ reason }}{% endif %}",
        required=("request_reference", "milestone"),
    ),
    K.PAYMENT_MADE: KindMessages(
        subject="Versement effectué — {{ milestone }} de {{ amount }}",
        inapp="Versement de {{ amount }} ({{ milestone }}) effectué pour la demande "
        "{{ request_reference }}.",
        required=("request_reference", "milestone", "amount"),
    ),
    K.PAYMENTS_MADE: KindMessages(
        subject="{{ count }} versement{{ count|pluralize }} effectué{{ count|pluralize }} — {{ total }}",
        inapp="L'ASP a effectué {{ count }} versement{{ count|pluralize }} à {{ editor_name }}, "
        "{{ total }} au total.",
        required=("editor_name", "count", "total"),
    ),
    K.QUOTE_ALERT_RAISED: KindMessages(
        subject="Devis {{ quote_number }} signalé par {{ client_name }}",
        inapp="{{ client_name }} signale le devis {{ quote_number }} : {{ reason }}.",
        required=("quote_number", "client_name", "reason"),
    ),
    K.QUOTE_ALERT_ANSWERED: KindMessages(
        subject="Réponse à votre signalement du devis {{ quote_number }}",
        inapp="{{ answered_by|capfirst }} a répondu à votre signalement du devis {{ quote_number }}.",
        required=("quote_number", "answered_by"),
    ),
    K.BANK_DETAILS_SUBMITTED: KindMessages(
        subject="Coordonnées bancaires modifiées — {{ organization_name }}",
        inapp="{{ submitted_by }} a déclaré de nouvelles coordonnées bancaires pour "
        "{{ organization_name }} ({{ iban_masked }}) : elles attendent la validation de l'ASP.",
        required=("organization_name", "submitted_by", "iban_masked"),
    ),
    K.BANK_DETAILS_DECIDED: KindMessages(
        subject="Coordonnées bancaires {% if validated %}validées{% else %}refusées{% endif %} "
        "— {{ organization_name }}",
        inapp="Coordonnées bancaires {{ iban_masked }} de {{ organization_name }} "
        "{% if validated %}validées par l'ASP : les prochains versements y seront faits"
        "{% else %}refusées par l'ASP : {{ reason }}{% endif %}.",
        required=("organization_name", "iban_masked", "validated"),
    ),
    K.REPORT_READY: KindMessages(
        subject="{% if failed %}Échec : {% else %}Disponible : {% endif %}{{ title }}",
        inapp="{{ title }} : {% if failed %}échec{% else %}résultat disponible{% endif %}"
        "{% if outcome %} — {{ outcome }}{% endif %}.",
        required=("title",),
    ),
    K.REMINDER: KindMessages(
        subject="Rappel : {{ title }}",
        inapp="Rappel : {{ message }}",
        required=("title", "message"),
    ),
    K.REMINDER_REVIEW_CLOCK: KindMessages(
        subject="{% if days_left is not None and days_left < 0 %}Délai dépassé{% else %}Délai "
        "bientôt atteint{% endif %} : {{ phase }} du dossier {{ dossier_reference }}",
        inapp="Dossier {{ dossier_reference }} : délai d'{{ phase }} "
        "{% if days_left is not None and days_left < 0 %}dépassé depuis le{% else %}au{% endif %}"
        " {{ deadline }}.",
        required=("dossier_reference", "phase", "deadline"),
    ),
    K.REMINDER_PREORDER_DEADLINE: KindMessages(
        subject="Rappel : dossier de preuves complet attendu avant le {{ deadline }} "
        "(commande {{ quote_number }})",
        inapp="Commande {{ quote_number }} passée avant référencement : dossier de preuves "
        "complet à déposer au plus tard le {{ deadline }}.",
        required=("quote_number", "deadline"),
    ),
    K.REMINDER_CORRECTION_OPEN: KindMessages(
        subject="Rappel : correction en attente — dossier {{ dossier_reference }}",
        inapp="Une correction demandée le {{ opened_on }} sur le dossier {{ dossier_reference }} "
        "attend votre réponse.",
        required=("dossier_reference", "opened_on"),
    ),
    K.REMINDER_WINDOW_DEADLINE: KindMessages(
        subject="Rappel : {{ deadline_label }} au plus tard le {{ deadline }}",
        inapp="{{ object_label }} : {{ deadline_label }} au plus tard le {{ deadline }}.",
        required=("deadline_label", "deadline", "object_label"),
    ),
}


# Subjects and one-liners are plain text: autoescaping would turn "l'ASP" into "l&#x27;ASP"; the
# in-app list escapes the rendered line once, when it shows it.
_TEXT_ENGINE = Engine(autoescape=False, builtins=["segur_funding.core.templatetags.french"])


@cache
def _compiled(source: str) -> Template:
    return _TEXT_ENGINE.from_string(source)


def missing_keys(kind: str, context: Mapping[str, Any]) -> list[str]:
    return [key for key in MESSAGES[kind].required if key not in context]


# Template line breaks and indentation, not the no-break spaces of French amounts and dates
# ("32 940,00 €"), which str.split() would also swallow.
_LAYOUT_SPACE = re.compile(r"[ \t\r\n\f\v]+")


def _one_line(text: str) -> str:
    return _LAYOUT_SPACE.sub(" ", text).strip()


def render_subject(kind: str, context: Mapping[str, Any]) -> str:
    # A header line: no line break may reach the SMTP conversation.
    return _one_line(_compiled(MESSAGES[kind].subject).render(Context(dict(context))))


def render_inapp(kind: str, context: Mapping[str, Any]) -> str:
    return _one_line(_compiled(MESSAGES[kind].inapp).render(Context(dict(context))))


def absolute_url(path: str) -> str:
    """E-mails need absolute links; rows store the path the in-app list uses."""
    if not path or path.startswith(("http://", "https://")):
        return path
    # SEGUR_SITE_URL is the public address of the site (https://…), set per deployment.
    base = getattr(settings, "SEGUR_SITE_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + "/" + path.lstrip("/")


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(
    kind: str, context: Mapping[str, Any], *, recipient_name: str, link: str
) -> RenderedEmail:
    full = {
        **context,
        "kind": kind,
        "recipient_name": recipient_name,
        "link_url": absolute_url(link),
        "preferences_url": absolute_url(reverse("notifications:preferences")),
        "subject": render_subject(kind, context),
    }
    return RenderedEmail(
        subject=full["subject"],
        text=render_to_string(f"notifications/email/{kind}.txt", full),
        html=render_to_string(f"notifications/email/{kind}.html", full),
    )
