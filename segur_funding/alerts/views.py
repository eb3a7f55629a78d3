"""Pages of reports: the lab reports a quote and reads the answers; the editor reads and answers."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from segur_funding.core.errors import DomainError
from segur_funding.core.forms import DsfrForm
from segur_funding.quotes.selectors import quotes_for_lab

from . import services
from .constants import AlertReason


class AlertForm(DsfrForm):
    reason = forms.ChoiceField(
        label="Ce qui vous semble non conforme", choices=AlertReason.choices, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label="Votre message à l'équipe Ségur",
        help_text="Décrivez la difficulté : la ligne concernée, ce qui vous est demandé de payer…",
        max_length=services.MESSAGE_MAX,
        widget=forms.Textarea(attrs={"class": "fr-input", "rows": 5}),
    )


class AnswerForm(DsfrForm):
    answer = forms.CharField(
        label="Votre réponse",
        max_length=services.MESSAGE_MAX,
        widget=forms.Textarea(attrs={"class": "fr-input", "rows": 4}),
    )


@login_required
def alert_create(request: HttpRequest, quote_pk: int) -> HttpResponse:
    quote = get_object_or_404(quotes_for_lab(user=request.user).select_related("client"), pk=quote_pk)
    form = AlertForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                alert = services.alert_create(quote=quote, user=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    "Votre signalement est transmis à l'équipe Ségur et à l'éditeur. Vous lirez leurs "
                    "réponses ici et dans « Mon espace ».",
                )
                return redirect("alerts:lab_detail", pk=alert.pk)
        status = 400
    return render(request, "alerts/alert_form.html", {"quote": quote, "form": form}, status=status)


@login_required
def lab_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(services.alerts_for_lab(user=request.user), pk=pk)
    return render(request, "alerts/alert_detail.html", {"alert": alert, "side": "lab"})


@login_required
def editor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(services.alerts_for_editor(user=request.user), pk=pk)
    form = AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.alert_editor_answer(
                    alert=alert, user=request.user, answer=form.cleaned_data["answer"]
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Votre réponse est envoyée au laboratoire et à l'équipe Ségur.")
                return redirect("alerts:editor_detail", pk=alert.pk)
        status = 400
    return render(
        request, "alerts/alert_detail.html", {"alert": alert, "side": "editor", "form": form}, status=status
    )


@login_required
def editor_list(request: HttpRequest) -> HttpResponse:
    alerts = services.alerts_for_editor(user=request.user)[:200]
    return render(request, "alerts/editor_list.html", {"alerts": alerts})
