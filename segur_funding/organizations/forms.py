from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm


class EmailLoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Adresse e-mail ou mot de passe incorrect. Vérifiez votre saisie.",
        "inactive": "Ce compte est désactivé.",
    }


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form, with the e-mail sent by a task after commit (services explain why)."""

    def save(self, *args, **kwargs) -> None:
        from segur_funding.core.tasks import enqueue_on_commit

        from .tasks import send_password_reset_email

        for user in self.get_users(self.cleaned_data["email"]):
            enqueue_on_commit(send_password_reset_email, user.pk)
