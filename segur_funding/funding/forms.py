"""Forms of the editor's funding pages. Amounts are computed by the services, never typed."""

from django import forms
from django.forms.utils import ErrorDict

from segur_funding.core.forms import DsfrForm

from .constants import AnswerPart
from .services import BankAnswer

TEXTAREA = {"class": "fr-input", "rows": 3}


class AdvanceForm(forms.Form):
    comment = forms.CharField(
        label="Commentaire pour l'ASP (facultatif)",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
    )


class BalanceForm(forms.Form):
    invoice = forms.FileField(
        label="Facture (PDF)",
        help_text="La facture de la Prestation Ségur adressée au client.",
        widget=forms.ClearableFileInput(attrs={"class": "fr-upload", "accept": "application/pdf"}),
    )
    comment = forms.CharField(
        label="Commentaire pour l'ASP (facultatif)",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
    )


PDF_INPUT = {"accept": "application/pdf"}


class CorrectionAnswerForm(DsfrForm):
    """The answer to an « à modifier »: the explanation, then exactly the parts the ASP's reasons
    ask for (`rules.answer_parts`), nothing else. What is missing or wrong is said by the service
    (the same sentences as the API's), so the page lists every problem at once."""

    comment = forms.CharField(
        label="Ce que vous avez corrigé",
        help_text="Expliquez à l'ASP votre réponse à chacun de ses motifs.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    signed_quote = forms.FileField(
        label="Devis signé (PDF)",
        help_text="Le devis signé et daté par le client.",
        widget=forms.ClearableFileInput(attrs=PDF_INPUT),
    )
    invoice = forms.FileField(
        label="Facture corrigée (PDF)",
        help_text="La facture de la Prestation Ségur adressée au client.",
        widget=forms.ClearableFileInput(attrs=PDF_INPUT),
    )
    delivery_declaration = forms.FileField(
        label="Déclaration de VA ou de MOM (PDF)",
        help_text="La vérification d'aptitude ou la mise en ordre de marche signée par le client.",
        widget=forms.ClearableFileInput(attrs=PDF_INPUT),
    )
    amount = forms.DecimalField(
        label="Montant corrigé (€ TTC)",
        help_text="Au centime près, par exemple 9882,00.",
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    client_identity = forms.CharField(
        label="Identification corrigée du client",
        help_text="Raison sociale, SIRET et, pour un établissement, FINESS.",
        max_length=300,
    )
    holder = forms.CharField(
        label="Titulaire du compte", max_length=200, help_text="Tel qu'il figure sur le RIB."
    )
    iban = forms.CharField(
        label="IBAN",
        max_length=50,
        help_text="27 caractères pour un compte en France, espaces acceptés : recopiez-le depuis le RIB.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    bic = forms.CharField(label="BIC", max_length=20, help_text="8 ou 11 caractères, par exemple AGRIFRPP.")
    rib = forms.FileField(
        label="RIB (PDF, PNG ou JPEG)",
        help_text="L'ASP compare ce document à l'IBAN saisi avant de valider.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )

    BANK_FIELDS = ("holder", "iban", "bic", "rib")

    def __init__(self, parts: tuple[str, ...], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.bank_error = ""
        wanted = {"comment", *parts}
        if AnswerPart.BANK_DETAILS in parts:
            wanted.update(self.BANK_FIELDS)
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]

    @property
    def bank_fields(self) -> list:
        return [self[name] for name in self.BANK_FIELDS if name in self.fields]

    @property
    def part_fields(self) -> list:
        return [self[name] for name in self.fields if name not in ("comment", *self.BANK_FIELDS)]

    def only_missing(self) -> bool:
        """True when the form's only errors are empty fields: the service then names them."""
        return all(e.code == "required" for errors in self.errors.as_data().values() for e in errors)

    def answer(self) -> dict:
        """The service's arguments from what was posted (empty parts as None)."""
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        bank = BankAnswer(
            holder=data.pop("holder", None) or "",
            iban=data.pop("iban", None) or "",
            bic=data.pop("bic", None) or "",
            rib=data.pop("rib", None),
        )
        return {
            "comment": data.pop("comment", None) or "",
            "client_identity": data.pop("client_identity", None) or "",
            "bank_details": bank,
            **data,
        }

    def set_errors(self, errors: dict[str, str]) -> None:
        """Show the service's errors in place of the form's, each on its field."""
        self._errors = ErrorDict()
        self.bank_error = errors.get(AnswerPart.BANK_DETAILS, "")
        for name, message in errors.items():
            if name != AnswerPart.BANK_DETAILS or not self.bank_fields:
                self.add_error(name if name in self.fields else None, message)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"{self.add_prefix(name)}-error"
