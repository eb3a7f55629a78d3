"""Editor forms (DSFR classes; rendered field by field by templates/referencing/_field.html)."""

from django import forms

from segur_funding.core.forms import DsfrForm
from segur_funding.organizations.models import Organization
from segur_funding.referential.models import Dsr, Requirement

from .constants import CorrectionReason
from .models import SolutionVersion


class SolutionCreateForm(DsfrForm):
    editor = forms.ModelChoiceField(
        label="Éditeur", queryset=Organization.objects.none(), empty_label=None
    )
    name = forms.CharField(label="Nom de la solution", max_length=200)
    version_label = forms.CharField(
        label="Version", max_length=60, help_text="Par exemple : 5.2"
    )
    obsolete_versions = forms.CharField(
        label="Versions obsolètes",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Versions de la solution qui ne sont plus maintenues ; écrivez « Aucune » s'il "
        "n'y en a pas. Cette déclaration est jointe à la candidature.",
    )

    def __init__(self, *args, editors, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["editor"].queryset = editors
        if editors.count() == 1:
            self.fields["editor"].initial = editors.first()
            self.fields["editor"].widget = forms.HiddenInput()


class SolutionVersionForm(DsfrForm):
    label = forms.CharField(label="Nouvelle version", max_length=60)
    obsolete_versions = forms.CharField(
        label="Versions obsolètes",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Écrivez « Aucune » s'il n'y en a pas.",
    )


class CandidatureForm(DsfrForm):
    contact_name = forms.CharField(label="Contact référencement (nom et prénom)", max_length=200)
    contact_email = forms.EmailField(label="E-mail du contact")
    contact_phone = forms.CharField(label="Téléphone du contact", max_length=30, required=False)
    referencing_profile = forms.CharField(
        label="Profil de référencement visé", max_length=200, required=False,
        help_text="Tel qu'indiqué dans le DSR, s'il en prévoit plusieurs.",
    )
    candidature_note = forms.CharField(
        label="Présentation de la candidature",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    honour_declaration = forms.BooleanField(
        label="Je certifie sur l'honneur l'exactitude des informations de cette candidature.",
        required=False,
        help_text="Obligatoire pour déposer la candidature.",
    )


class DossierCreateForm(CandidatureForm):
    solution_version = forms.ModelChoiceField(
        label="Solution et version", queryset=SolutionVersion.objects.none(),
        empty_label="Choisissez une version",
    )
    dsr = forms.ModelChoiceField(
        label="DSR visé", queryset=Dsr.objects.none(), empty_label="Choisissez un DSR"
    )

    field_order = ["solution_version", "dsr"]

    def __init__(self, *args, versions, dsrs, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["solution_version"].queryset = versions
        self.fields["dsr"].queryset = dsrs


# --- Admin (ANS) ---------------------------------------------------------------------------------


class CorrectionRequestForm(forms.Form):
    reason = forms.ChoiceField(label="Motif", choices=CorrectionReason.choices)
    requirements = forms.ModelMultipleChoiceField(
        label="Exigences concernées", queryset=Requirement.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    message = forms.CharField(label="Message à l'éditeur", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, dossier, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requirements"].queryset = Requirement.objects.filter(
            dsr_id=dossier.dsr_id
        ).order_by("position", "reference")
        self.fields["requirements"].label_from_instance = lambda r: f"{r.reference} — {r.title}"
