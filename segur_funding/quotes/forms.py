"""Forms of the editor's quote page and of the lab's PDF upload. They never bind a status."""

from collections.abc import Sequence
from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator

from segur_funding.core.forms import DsfrForm
from segur_funding.core.money import format_eur
from segur_funding.organizations.models import Organization, User
from segur_funding.organizations.selectors import clients_list, user_editors
from segur_funding.referencing.models import REOPENABLE_STATUSES, Dossier
from segur_funding.referential.models import Dsr

from .constants import Scope
from .rules.acceptance import OfferedLine
from .services import LineInput

INPUT = {"class": "fr-input"}
SELECT = {"class": "fr-select"}
DATE = {"class": "fr-input", "type": "date"}


class DossierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Dossier) -> str:
        state = (
            f"référencé le {obj.referenced_on:%d/%m/%Y}"
            if obj.referenced_on
            else f"référencement en cours ({obj.get_status_display().lower()})"
        )
        return f"{obj.solution_version} — {obj.dsr.code} — {state}"


class ClientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        sites = obj.geographic_sites or "?"
        return f"{obj.name} ({sites} site(s), SIRET {obj.siret or 'non renseigné'})"


class QuoteForm(forms.Form):
    client = ClientChoiceField(
        label="Client (laboratoire)",
        queryset=Organization.objects.none(),
        widget=forms.Select(attrs=SELECT),
        empty_label="Choisissez le laboratoire",
    )
    dossier = DossierChoiceField(
        label="Solution proposée (dossier de référencement)",
        queryset=Dossier.objects.none(),
        widget=forms.Select(attrs=SELECT),
        empty_label="Choisissez la solution",
        help_text="Une solution référencée, ou dont le dossier de référencement est en cours "
        "(commande conditionnée au référencement, règle des 120 jours).",
    )
    order_date = forms.DateField(
        label="Date de la commande",
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        required=False,
        help_text="Aujourd'hui si vide.",
    )
    mentions = forms.CharField(
        label="Mentions (une par ligne)",
        required=False,
        widget=forms.Textarea(attrs={**INPUT, "rows": 2}),
        help_text="La mention des commandes antérieures au référencement est ajoutée "
        "automatiquement quand elle est requise.",
    )
    conditions = forms.CharField(
        label="Conditions posées au client (une par ligne)",
        required=False,
        widget=forms.Textarea(attrs={**INPUT, "rows": 2}),
        help_text="La Prestation Ségur ne peut être conditionnée ni à un réengagement ni à "
        "l'achat d'options ou de modules : laissez vide.",
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients_list()
        self.fields["dossier"].queryset = (
            Dossier.objects.filter(editor__in=user_editors(user=user))
            .exclude(status__in=REOPENABLE_STATUSES)
            .select_related("dsr", "solution_version__solution")
            .order_by("solution_version__solution__name", "dsr__code")
        )


SCOPE_CHOICES = [
    (Scope.SEGUR.value, "Prestation Ségur"),
    (Scope.STATE_FUNDING.value, "Prise en charge par l'État (à déduire)"),
    (Scope.OUT_OF_SCOPE.value, "Hors Ségur (à la charge du client)"),
]


class LineForm(forms.Form):
    label = forms.CharField(label="Libellé", max_length=300, widget=forms.TextInput(attrs=INPUT))
    # The initial value makes an untouched blank row "unchanged", so it is ignored.
    scope = forms.ChoiceField(
        label="Périmètre",
        choices=SCOPE_CHOICES,
        initial=Scope.SEGUR.value,
        widget=forms.Select(attrs=SELECT),
    )
    dsr_codes = forms.CharField(
        label="DSR",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={**INPUT, "size": 8}),
    )
    is_technical_debt = forms.BooleanField(label="Dette technique", required=False)
    amount_ht = forms.DecimalField(
        label="Montant HT (€)",
        required=False,
        max_digits=12,
        decimal_places=2,
        localize=True,
        validators=[MinValueValidator(Decimal("0"))],
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "decimal", "size": 10}),
    )
    amount_ttc = forms.DecimalField(
        label="Montant TTC (€)",
        max_digits=12,
        decimal_places=2,
        localize=True,
        validators=[MinValueValidator(Decimal("0"))],
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "decimal", "size": 10}),
    )

    def clean(self):
        data = super().clean()
        if data.get("is_technical_debt") and data.get("scope") != Scope.OUT_OF_SCOPE:
            self.add_error(
                "scope",
                "Le rattrapage de dette technique ne fait pas partie de la Prestation Ségur : "
                "facturez-le hors Ségur, sur une ligne à part.",
            )
        return data

    def to_input(self) -> LineInput:
        data = self.cleaned_data
        return LineInput(
            label=data["label"],
            scope=data["scope"],
            dsr_codes=data.get("dsr_codes") or "",
            is_technical_debt=bool(data.get("is_technical_debt")),
            amount_ht=data.get("amount_ht"),
            amount_ttc=data["amount_ttc"],
        )


class BaseLineFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.line_inputs():
            raise forms.ValidationError("Ajoutez au moins une ligne au devis.")

    def line_inputs(self) -> list[LineInput]:
        return [
            form.to_input()
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form) and form.is_valid()
        ]


LineFormSet = forms.formset_factory(
    LineForm, formset=BaseLineFormSet, extra=0, can_delete=True, max_num=60, validate_max=True
)


def blank_line_formset(count: int, *, prefix: str) -> BaseLineFormSet:
    factory = forms.formset_factory(
        LineForm, formset=BaseLineFormSet, extra=count, can_delete=True, max_num=60
    )
    return factory(prefix=prefix)


class SignForm(DsfrForm):
    """The lab's signature: who signs, and each option (out-of-scope line) accepted or declined.

    Every option is a choice of its own, accepted unless the lab says otherwise; the lines of the
    Prestation Ségur are not offered (they are never optional, `rules.acceptance`)."""

    signatory_name = forms.CharField(
        label="Nom du signataire",
        max_length=150,
        help_text="La personne qui signe au nom du laboratoire, ex. : Dr Claire Martin",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    signatory_role = forms.CharField(
        label="Fonction du signataire",
        max_length=150,
        help_text="Ex. : biologiste responsable",
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    confirm = forms.BooleanField(
        label="J'accepte ce devis au nom du laboratoire, avec les options choisies ci-dessus : "
        "la date de signature est celle d'aujourd'hui.",
    )

    ACCEPT, DECLINE = "accept", "decline"

    def __init__(self, *args, options: Sequence[OfferedLine] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.options = [x for x in options if x.optional]
        for option in self.options:
            self.fields[self._name(option)] = forms.ChoiceField(
                label=f"Option n° {option.number} : {option.label} — {format_eur(option.amount_ttc)} TTC",
                choices=[(self.ACCEPT, "J'accepte cette option"), (self.DECLINE, "Je refuse cette option")],
                initial=self.ACCEPT,
                widget=forms.RadioSelect,
                error_messages={"required": "Indiquez si vous acceptez ou refusez cette option."},
            )

    @staticmethod
    def _name(option: OfferedLine) -> str:
        return f"option_{option.number}"

    def option_fields(self) -> list:
        return [self[self._name(option)] for option in self.options]

    def declined_lines(self) -> list[int]:
        return [o.number for o in self.options if self.cleaned_data.get(self._name(o)) == self.DECLINE]


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(
        label="Date de mise en ordre de marche",
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
    )
    confirm = forms.BooleanField(
        label="Je déclare que la prestation est livrée et que le logiciel fonctionne "
        "(vérification d'aptitude / mise en ordre de marche).",
    )


class UploadForm(forms.Form):
    # Shown only to a member of several labs (see `__init__`): the quote is checked for one lab.
    client = forms.ModelChoiceField(
        label="Laboratoire destinataire du devis",
        queryset=Organization.objects.none(),
        required=True,
        widget=forms.Select(attrs=SELECT),
        empty_label="Choisissez le laboratoire",
    )
    file = forms.FileField(
        label="Devis au format PDF",
        help_text="10 Mo au maximum.",
        widget=forms.ClearableFileInput(attrs={"class": "fr-upload", "accept": "application/pdf"}),
    )
    editor_name = forms.CharField(
        label="Éditeur", max_length=200, required=False, widget=forms.TextInput(attrs=INPUT)
    )
    dsr = forms.ModelChoiceField(
        label="DSR du logiciel proposé",
        queryset=Dsr.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
        empty_label="Lu dans le devis",
    )
    order_date = forms.DateField(
        label="Date de la commande", required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    signature_date = forms.DateField(
        label="Date de signature prévue ou effective",
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
    )
    referenced_on = forms.DateField(
        label="Date de référencement du logiciel",
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        help_text="Sur la liste publique des solutions référencées ; vide si inconnue.",
    )
    proofs_complete_on = forms.DateField(
        label="Date du dossier complet de preuves",
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
    )

    def __init__(self, *args, clients=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dsr"].queryset = (
            Dsr.objects.filter(funding_schemes__is_active=True).distinct().order_by("code")
        )
        if clients is not None and clients.count() > 1:
            self.fields["client"].queryset = clients.order_by("name")
        else:
            del self.fields["client"]
