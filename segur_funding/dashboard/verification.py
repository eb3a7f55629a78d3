"""Public verification pages: « Ce PDF est-il bien celui émis sur la plateforme ? » for quotes,
and the page a referencing certificate's QR code leads to.

Open to anonymous visitors; they show what the document itself prints about its issuer (number,
editor, solution, dates, status), never a person's data nor the client of a quote.
"""

from django import forms
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from segur_funding.quotes.verification import (
    MAX_VERIFY_BYTES,
    QuoteVerification,
    quote_pdf_verify,
    quote_public_by_token,
)
from segur_funding.referencing.selectors import certificate_by_verification_token

# Reading an uploaded PDF costs a few hundred milliseconds of CPU: a visitor may check a handful
# of files, not feed the page a stream of them.
VERIFY_RATE_LIMIT = 10
VERIFY_RATE_WINDOW_SECONDS = 10 * 60


class QuoteVerifyForm(forms.Form):
    number = forms.CharField(
        label="Numéro du devis",
        max_length=60,
        help_text="Tel qu'il est imprimé en haut du devis, par exemple D-2026-0001.",
        widget=forms.TextInput(attrs={"class": "fr-input", "autocomplete": "off"}),
        error_messages={"required": "Indiquez le numéro du devis."},
    )
    file = forms.FileField(
        label="Devis au format PDF",
        help_text="10 Mo au maximum. Le fichier est lu puis oublié : il n'est pas conservé.",
        widget=forms.ClearableFileInput(attrs={"class": "fr-upload", "accept": "application/pdf"}),
        error_messages={"required": "Choisissez le fichier PDF du devis.", "empty": "Le fichier est vide."},
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size is not None and file.size > MAX_VERIFY_BYTES:
            raise forms.ValidationError(
                "Le fichier dépasse 10 Mo : ce n'est pas un devis émis par la plateforme."
            )
        return file


def _over_rate_limit(request: HttpRequest) -> bool:
    """A fixed-window counter per client IP in the shared cache (Redis in production)."""
    from axes.helpers import get_client_ip_address  # honours DJANGO_PROXY_COUNT like the login lockout

    key = f"verify-quote:{get_client_ip_address(request) or 'inconnue'}"
    cache.add(key, 0, timeout=VERIFY_RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=VERIFY_RATE_WINDOW_SECONDS)
        count = 1
    return count > VERIFY_RATE_LIMIT


@require_http_methods(["GET", "POST"])
def verify_quote(request: HttpRequest) -> HttpResponse:
    """Number + file -> yes (issue date, editor, status) or no (why, in plain French)."""
    if request.method == "POST":
        form = QuoteVerifyForm(request.POST, request.FILES)
    else:
        form = QuoteVerifyForm(initial={"number": request.GET.get("numero", "")[:60]})
    result: QuoteVerification | None = None
    status = 200
    if request.method == "POST":
        if _over_rate_limit(request):
            form.add_error(
                None,
                "Trop de vérifications depuis votre connexion : réessayez dans quelques minutes.",
            )
            status = 429
        elif form.is_valid():
            result = quote_pdf_verify(
                number=form.cleaned_data["number"], data=form.cleaned_data["file"].read()
            )
        else:
            status = 400
    return render(request, "dashboard/verify_quote.html", {"form": form, "result": result}, status=status)


@require_GET
def verify_token(request: HttpRequest, token: str) -> HttpResponse:
    """The page a printed short URL / QR code leads to: a quote or a referencing certificate."""
    quote = quote_public_by_token(token=token) if len(token) <= 32 else None
    if quote is not None:
        form = QuoteVerifyForm(initial={"number": quote.number})
        return render(request, "dashboard/verify_quote_token.html", {"quote": quote, "form": form})
    dossier = certificate_by_verification_token(token=token) if len(token) <= 32 else None
    if dossier is not None:
        return render(request, "dashboard/verify_certificate.html", {"dossier": dossier})
    return render(request, "dashboard/verify_unknown.html", status=404)
