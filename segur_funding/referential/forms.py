"""Admin forms of the reference data: an AF, its tier table (barème) and the REM import."""

from django import forms
from django.core.exceptions import ValidationError
from import_export.forms import ConfirmImportForm, ImportForm

from .models import Dsr, FundingScheme, Tier
from .rules import TierRow, tiers_problems


class FundingSchemeForm(forms.ModelForm):
    class Meta:
        model = FundingScheme
        fields = [
            "dsr",
            "name",
            "version",
            "published_on",
            "is_active",
            "source",
            "advance_rate",
            "preorder_max_days",
            "state_funding_wording",
            "conditional_order_mention",
        ]

    def clean(self):
        cleaned = super().clean()
        dsr = cleaned.get("dsr")
        if dsr is not None and cleaned.get("is_active"):
            # The database constraint would only say "IntegrityError"; name the AF in force.
            current = (
                FundingScheme.objects.filter(dsr=dsr, is_active=True).exclude(pk=self.instance.pk).first()
            )
            if current is not None:
                self.add_error(
                    "is_active",
                    f"Le DSR {dsr.code} a déjà un appel à financement en vigueur : « {current} ». "
                    "Un seul AF peut être en vigueur par DSR : enregistrez celui-ci hors vigueur, "
                    "puis utilisez l'action « Mettre en vigueur » pour basculer de l'un à l'autre.",
                )
        return cleaned


class TierForm(forms.ModelForm):
    class Meta:
        model = Tier
        fields = ["code", "sites_from", "sites_to", "cap_ht", "cap_ttc"]

    def clean(self):
        cleaned = super().clean()
        sites_from, sites_to = cleaned.get("sites_from"), cleaned.get("sites_to")
        if sites_from is not None and sites_to is not None and sites_to < sites_from:
            self.add_error(
                "sites_to",
                f"La borne supérieure ({sites_to}) précède la borne inférieure ({sites_from}).",
            )
        # HT and TTC are both typed as published (never one computed from the other), so the only
        # check between them is that the HT cap is not the larger one.
        cap_ht, cap_ttc = cleaned.get("cap_ht"), cleaned.get("cap_ttc")
        if cap_ht is not None and cap_ttc is not None and cap_ht > cap_ttc:
            self.add_error(
                "cap_ht",
                f"Le plafond HT ({cap_ht} €) dépasse le plafond TTC ({cap_ttc} €) : "
                "vérifiez la saisie des deux montants publiés.",
            )
        return cleaned


class TierFormSet(forms.BaseInlineFormSet):
    """The tier table of one AF must partition every site count ≥ 1: no gap, no overlap.

    An AF that is not in force may be saved without tiers (while it is being typed); an AF in force
    always has a complete table, since quotes are checked against it.
    """

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = []
        for form in self.forms:
            if not form.cleaned_data or self._should_delete_form(form):
                continue
            data = form.cleaned_data
            rows.append(
                TierRow(
                    code=data["code"],
                    sites_from=data["sites_from"],
                    sites_to=data.get("sites_to"),
                    cap_ht=data["cap_ht"],
                    cap_ttc=data["cap_ttc"],
                )
            )
        if not rows and not getattr(self.instance, "is_active", False):
            return
        problems = tiers_problems(tuple(rows))
        if problems:
            raise ValidationError(
                [
                    "Le barème doit couvrir chaque nombre de sites à partir de 1, sans trou ni "
                    "chevauchement.",
                    *problems,
                ]
            )


class RemImportForm(ImportForm):
    """import-export's upload form, plus the DSR the REM file belongs to."""

    dsr = forms.ModelChoiceField(
        label="DSR",
        queryset=Dsr.objects.order_by("code"),
        to_field_name="code",
        required=False,
        help_text="Le DSR dont le fichier est le REM. Obligatoire si le fichier n'a pas de "
        "colonne « DSR » ; sinon, chaque ligne doit porter ce DSR.",
    )
    field_order = ["resource", "dsr", "import_file", "format"]


class RemConfirmImportForm(ConfirmImportForm):
    dsr = forms.CharField(widget=forms.HiddenInput(), required=False)
