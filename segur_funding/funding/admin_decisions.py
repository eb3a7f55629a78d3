"""The ASP's decisions on a funding request in the admin: one page per action of the workflow.

Every ASP move of `rules.TRANSITIONS` (validate, send back « à modifier », refuse, record the
payment) is a row of `DECISIONS`: its form, the service it calls, the permission it needs, how its
button looks and what the reviewer reads. One view (`decision_view`) serves them all; the buttons
of a request are `decision_buttons`, the actions the table allows from its status, so a move added
to the table without a row here fails `tests/funding/test_admin.py`.

A danger action (a refusal is final) asks for an explicit confirmation, checked on the server: no
browser pop-up, no JavaScript.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from segur_funding.core import clock
from segur_funding.core.errors import DomainError
from segur_funding.core.money import format_eur

from . import rules, services
from .constants import Actor, CorrectionReason, RequestAction
from .models import FundingRequest
from .rules import payment_date_refusal
from .selectors import request_validated_on

INSTRUCT_PERM = "funding.instruct_fundingrequest"
PAY_PERM = "funding.record_payment"

CONFIRM_FIELD = "confirm"


class DecisionForm(forms.Form):
    """A decision's form: its cleaned data, but the confirmation box, are the service's keywords."""

    def __init__(self, *args, funding_request: FundingRequest, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.funding_request = funding_request

    def service_arguments(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != CONFIRM_FIELD}


class ValidateForm(DecisionForm):
    comment = forms.CharField(
        label="Commentaire (facultatif)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class SendBackForm(DecisionForm):
    reasons = forms.MultipleChoiceField(
        label="Motifs",
        choices=CorrectionReason.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un motif : l'éditeur doit savoir quoi corriger."},
    )
    comment = forms.CharField(
        label="Précisions pour l'éditeur", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def clean(self):
        data = super().clean()
        if CorrectionReason.OTHER in data.get("reasons", []) and not data.get("comment", "").strip():
            self.add_error("comment", "Précisez le motif « Autre » pour l'éditeur.")
        return data


class RefuseForm(DecisionForm):
    comment = forms.CharField(
        label="Motif du refus",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Communiqué à l'éditeur.",
        error_messages={"required": "Le motif du refus est obligatoire : l'éditeur doit le connaître."},
    )
    confirm = forms.BooleanField(
        label="Je confirme le refus : il est définitif, aucun versement ne suivra pour ce jalon.",
        error_messages={"required": "Cochez la case pour confirmer le refus."},
    )


class PaymentForm(DecisionForm):
    paid_on = forms.DateField(
        label="Date du versement",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=clock.today,
        help_text="Entre la validation de la demande et aujourd'hui.",
        error_messages={
            "required": "Indiquez la date du versement.",
            "invalid": "Date invalide : indiquez le jour du versement (jj/mm/aaaa).",
        },
    )
    reference = forms.CharField(
        label="Référence du versement",
        max_length=100,
        error_messages={"required": "Indiquez la référence du versement (celle de la comptabilité)."},
    )

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        refusal = payment_date_refusal(
            paid_on=paid_on,
            validated_on=request_validated_on(self.funding_request),
            today=clock.today(),
        )
        if refusal:
            raise forms.ValidationError(refusal)
        return paid_on


@dataclass(frozen=True)
class Decision:
    """How one ASP action of the workflow shows in the admin (the move itself is the table's)."""

    action: RequestAction
    url_segment: str
    url_suffix: str  # admin URL name: funding_fundingrequest_<suffix>
    permission: str
    form: type[DecisionForm]
    service: str  # the name of the function of `services` that makes the move
    style: str  # primary, secondary or danger (the button's look)
    title: str  # "{request}" is the request
    submit: str
    done: str  # "{amount}" is the request's amount
    refused: str  # the title of the error summary when the form comes back refused
    intro: str = ""  # "{amount}", "{milestone}"

    @property
    def url_name(self) -> str:
        return f"admin:funding_fundingrequest_{self.url_suffix}"

    @property
    def danger(self) -> bool:
        return self.style == "danger"

    def call(self, obj: FundingRequest, user, form: DecisionForm) -> object:
        move: Callable[..., object] = getattr(services, self.service)
        return move(request=obj, user=user, **form.service_arguments())


DECISIONS: dict[str, Decision] = {
    d.action: d
    for d in (
        Decision(
            action=RequestAction.VALIDATE,
            url_segment="valider",
            url_suffix="validate",
            permission=INSTRUCT_PERM,
            form=ValidateForm,
            service="funding_request_validate",
            style="primary",
            title="Valider la demande : {request}",
            submit="Valider la demande",
            done="La demande est validée ; le versement peut être enregistré.",
            refused="La demande n'est pas validée",
            intro="Montant à verser après validation : {amount} TTC.",
        ),
        Decision(
            action=RequestAction.SEND_BACK,
            url_segment="a-modifier",
            url_suffix="send_back",
            permission=INSTRUCT_PERM,
            form=SendBackForm,
            service="funding_request_send_back",
            style="secondary",
            title="Renvoyer « à modifier » : {request}",
            submit="Renvoyer à l'éditeur",
            done="La demande est renvoyée « à modifier » à l'éditeur.",
            refused="La demande n'est pas renvoyée à l'éditeur",
        ),
        Decision(
            action=RequestAction.REFUSE,
            url_segment="refuser",
            url_suffix="refuse",
            permission=INSTRUCT_PERM,
            form=RefuseForm,
            service="funding_request_refuse",
            style="danger",
            title="Refuser : {request}",
            submit="Refuser définitivement",
            done="La demande est refusée.",
            refused="La demande n'est pas refusée",
            intro="Un refus est définitif : aucun versement ne suivra pour ce jalon.",
        ),
        Decision(
            action=RequestAction.PAY,
            url_segment="versement",
            url_suffix="payment",
            permission=PAY_PERM,
            form=PaymentForm,
            service="payment_record",
            style="primary",
            title="Enregistrer le versement : {request}",
            submit="Enregistrer le versement",
            done="Versement de {amount} enregistré : la demande est « décidée et payée ».",
            refused="Le versement n'est pas enregistré",
            intro="Montant versé : {amount} TTC ({milestone}).",
        ),
    )
}


def _texts(obj: FundingRequest) -> dict[str, str]:
    return {
        "request": str(obj),
        "amount": format_eur(obj.amount),
        "milestone": obj.get_milestone_display().lower(),
    }


def decision_buttons(request: HttpRequest, obj: FundingRequest) -> list[dict]:
    """The decisions the table allows the ASP from the request's status, that this user may take."""
    buttons = []
    for action in rules.WORKFLOW.available_actions(obj.status, Actor.ASP):
        decision = DECISIONS[action]
        if request.user.has_perm(decision.permission):
            buttons.append(
                {
                    "url": reverse(decision.url_name, args=[obj.pk]),
                    "label": RequestAction(action).label,
                    "style": decision.style,
                }
            )
    return buttons


def decision_view(modeladmin, request: HttpRequest, pk: int, *, action: str) -> HttpResponse:
    """The page of one decision: its form (validated on the server, French messages), then the
    service; a refusal of the service shows above the form, nothing written."""
    decision = DECISIONS[action]
    if not request.user.has_perm(decision.permission):
        raise PermissionDenied
    obj = get_object_or_404(modeladmin.get_queryset(request), pk=pk)
    bound = (request.POST, request.FILES) if request.method == "POST" else ()
    form = decision.form(*bound, funding_request=obj)
    texts = _texts(obj)
    if request.method == "POST" and form.is_valid():
        try:
            decision.call(obj, request.user, form)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            modeladmin.message_user(request, decision.done.format(**texts), messages.SUCCESS)
            return redirect("admin:funding_fundingrequest_change", obj.pk)
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "original": obj,
        "title": decision.title.format(**texts),
        "form": form,
        "decision": decision,
        "intro": decision.intro.format(**texts),
        "change_url": reverse("admin:funding_fundingrequest_change", args=[obj.pk]),
    }
    # A refused form comes back with what was typed and its errors, as a 400.
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "funding/admin/action_form.html", context, status=status)
