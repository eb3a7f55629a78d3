from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

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


class AdminLoginForm(LoginIdentifierMixin, AdminAuthenticationForm):
    """The admin's login form (admin.site.login_form), with the same identifier checks."""
