"""Forms of the editor's funding pages. Amounts are computed by the services, never typed."""

from django import forms

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


class ResubmitForm(forms.Form):
    comment = forms.CharField(
        label="Ce que vous avez corrigé",
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    invoice = forms.FileField(
        label="Nouvelle facture (PDF, facultatif)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "fr-upload", "accept": "application/pdf"}),
    )
