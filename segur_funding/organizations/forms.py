from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError

from segur_funding.core.forms import DsfrForm, DsfrModelForm

from .constants import OrganizationKind
from .models import AccountRequest, validate_finess, validate_siren, validate_siret
from .rules import login_identifier_problem


class LoginIdentifierMixin:
    """Refuses an impossible or demo identifier before `authenticate()` runs, so that nothing
    (django-axes' attempt log is a varchar(255) on PostgreSQL) stores or counts it. Both login
    templates show form-wide errors, hence a non-field error."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is not None:
            problem = login_identifier_problem(username, demo_mode=settings.SEGUR_DEMO_MODE)
            if problem:
                raise ValidationError(problem, code="refused_identifier")
        return super().clean()


class EmailLoginForm(LoginIdentifierMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Adresse e-mail ou mot de passe incorrect. Vérifiez votre saisie.",
        "inactive": "Ce compte est désactivé.",
    }


class AccountRequestForm(DsfrModelForm):
    """An organisation's first person asks for an account (public page, no login)."""

    kind = forms.ChoiceField(
        label="Vous représentez",
        choices=[
            (OrganizationKind.EDITOR, "Un éditeur de logiciel (SIREN)"),
            (OrganizationKind.CLIENT, "Un laboratoire ou un établissement de santé (SIRET)"),
        ],
        widget=forms.RadioSelect,
    )
    # Spaces are how people write these numbers (« 732 829 320 »): accepted, then removed.
    siren = forms.CharField(label="SIREN de l'éditeur", required=False, max_length=20)
    siret = forms.CharField(label="SIRET de l'établissement", required=False, max_length=25)
    finess = forms.CharField(label="FINESS (facultatif)", required=False, max_length=12)

    class Meta:
        model = AccountRequest
        fields = [
            "kind",
            "organization_name",
            "siren",
            "siret",
            "finess",
            "client_kind",
            "geographic_sites",
            "first_name",
            "last_name",
            "email",
            "job_title",
            "message",
        ]
        help_texts = {
            "geographic_sites": "Laboratoires : sites qui utiliseront le logiciel (au moins 1).",
            "email": "Adresse professionnelle : elle sera votre identifiant.",
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client_kind"].required = False
        self.fields["geographic_sites"].required = False
        self.fields["message"].widget.attrs["rows"] = 3

    @staticmethod
    def _digits(value: str) -> str:
        return "".join(value.split()).upper()

    def clean_siren(self) -> str:
        return self._digits(self.cleaned_data.get("siren", ""))

    def clean_siret(self) -> str:
        return self._digits(self.cleaned_data.get("siret", ""))

    def clean_finess(self) -> str:
        return self._digits(self.cleaned_data.get("finess", ""))

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if kind == OrganizationKind.EDITOR:
            if not data.get("siren"):
                self.add_error("siren", "Le SIREN de l'éditeur est obligatoire.")
            data["siret"], data["finess"], data["client_kind"], data["geographic_sites"] = "", "", "", None
        elif kind == OrganizationKind.CLIENT:
            if not data.get("siret"):
                self.add_error("siret", "Le SIRET de l'établissement est obligatoire.")
            if not data.get("geographic_sites"):
                self.add_error("geographic_sites", "Indiquez le nombre de sites géographiques (au moins 1).")
            if not data.get("client_kind"):
                self.add_error("client_kind", "Indiquez le type d'établissement.")
            data["siren"] = ""
        for field, check in (
            ("siren", validate_siren),
            ("siret", validate_siret),
            ("finess", validate_finess),
        ):
            value = data.get(field)
            if value and field not in self.errors:
                try:
                    check(value)
                except forms.ValidationError as error:
                    self.add_error(field, error)
        return data

    def _post_clean(self) -> None:
        # The numbers were validated above on their cleaned form; the model's own validators would
        # run again on the same values, and its clean() knows nothing of the request's kind.
        pass


class MemberInviteForm(DsfrForm):
    email = forms.EmailField(label="Adresse e-mail professionnelle", max_length=254)
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    is_admin = forms.BooleanField(
        label="Administrateur (peut inviter et retirer des membres)", required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form, with the e-mail sent by a task after commit (services explain why)."""

    def save(self, *args, **kwargs) -> None:
        from segur_funding.core.tasks import enqueue_on_commit

        for user in self.get_users(self.cleaned_data["email"]):
            enqueue_on_commit("organizations.password_reset_email_send", user.pk)
class AdminLoginForm(LoginIdentifierMixin, AdminAuthenticationForm):
    """The admin's login form (admin.site.login_form), with the same identifier checks."""


class SecondFactorCodeForm(DsfrForm):
    """The code after the password (or the first code when enrolling)."""

    code = forms.CharField(label="Code de vérification", max_length=32, strip=True)

    def __init__(self, *args: object, enrolment: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.widget.attrs.update({"autocomplete": "one-time-code", "spellcheck": "false"})
        if enrolment:
            field.label = "Code à 6 chiffres affiché par l'application"
            field.widget.attrs.update({"inputmode": "numeric"})
        else:
            field.label = "Code à 6 chiffres"
            field.help_text = (
                "Affiché par votre application d'authentification, ou l'un de vos codes de secours."
            )
