"""The editor's bank details page: what ASP pays into, and declaring new details (administrators)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from segur_funding.core.errors import DomainError
from segur_funding.core.files import PDF, private_file_response, sniff
from segur_funding.core.forms import DsfrForm
from segur_funding.organizations.models import BankAccount, Membership
from segur_funding.organizations.selectors import user_editors

from . import bank


class BankDetailsForm(DsfrForm):
    holder = forms.CharField(
        label="Titulaire du compte", max_length=200, help_text="Tel qu'il figure sur le RIB."
    )
    iban = forms.CharField(
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        label="IBAN",
        max_length=50,
        help_text="27 caractères pour un compte en France, espaces acceptés : recopiez-le depuis le RIB.",
    )
    bic = forms.CharField(label="BIC", max_length=20, help_text="8 ou 11 caractères, par exemple AGRIFRPP.")
    document = forms.FileField(
        label="RIB (PDF, PNG ou JPEG)",
        help_text="L'ASP compare ce document à l'IBAN saisi avant de valider.",
        widget=forms.ClearableFileInput(
            attrs={"class": "fr-upload", "accept": "application/pdf,image/png,image/jpeg"}
        ),
    )



def _editor_membership(request: HttpRequest) -> Membership:
    editors = list(user_editors(user=request.user))
    if not editors:
        raise Http404
    chosen = request.GET.get("editeur") or request.POST.get("editeur")
    editor = next((e for e in editors if str(e.pk) == chosen), editors[0])
    return Membership.objects.select_related("organization").get(user=request.user, organization=editor)


@never_cache
@login_required
def bank_details(request: HttpRequest) -> HttpResponse:
    membership = _editor_membership(request)
    editor = membership.organization
    form = BankDetailsForm()
    status = 200
    if request.method == "POST":
        form = BankDetailsForm(request.POST, request.FILES)
        if form.is_valid() or set(form.errors) <= {"document"}:
            data = form.cleaned_data
            try:
                bank.bank_account_submit(
                    organization=editor,
                    user=request.user,
                    holder=data.get("holder", ""),
                    iban=data.get("iban", ""),
                    bic=data.get("bic", ""),
                    document=request.FILES.get("document"),
                )
            except bank.BankDetailsInvalid as error:
                for field, message in error.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    "Vos nouvelles coordonnées bancaires sont transmises à l'ASP. Les versements continuent "
                    "sur les coordonnées en vigueur jusqu'à leur validation.",
                )
                return redirect(f"{request.path}?editeur={editor.pk}")
        status = 400
    history = BankAccount.objects.filter(organization=editor).select_related("submitted_by")[:20]
    return render(
        request,
        "funding/bank_details.html",
        {
            "editor": editor,
            "is_admin": membership.is_admin,
            "in_force": bank.bank_account_in_force(organization=editor),
            "pending": bank.bank_account_pending(organization=editor),
            "history": history,
            "form": form,
        },
        status=status,
    )


@login_required
def bank_details_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The RIB document, for the editor's administrators only."""
    account = BankAccount.objects.filter(
        pk=pk, organization__memberships__user=request.user, organization__memberships__is_admin=True
    ).first()
    if account is None:
        raise Http404
    return rib_response(account)


def rib_response(account: BankAccount) -> HttpResponse:
    """The RIB as a download, typed from its content (PDF, PNG or JPEG), never from its name."""
    with account.document.open("rb") as handle:
        kind = sniff(handle.read(4096)) or PDF
    return private_file_response(
        account.document,
        filename=f"rib-{account.organization_id}-{account.pk}{kind.extensions[0]}",
        content_type=kind.content_type,
    )
