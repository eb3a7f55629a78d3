"""Login hardening hooks for django-axes (settings: AXES_HANDLER, AXES_USERNAME_CALLABLE,
AXES_LOCKOUT_CALLABLE).

A locked-out visitor gets the login page back, with the reason and the waiting time in French,
and HTTP 429 (Too Many Requests): the form stays where it was, only the answer changes.

Two limits: AXES_FAILURE_LIMIT failures on one account from one address (an attacker cannot lock
a real user out from elsewhere), and SEGUR_LOGIN_FAILURES_PER_ADDRESS failures from one address
whatever the accounts (nobody tries a few passwords on every account). Both are counted in the
database, which every web process shares.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib import admin
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from segur_funding.organizations.rules import EMAIL_MAX_LENGTH

ADDRESS_SCOPE = "address"


class LoginAttemptHandler(AxesDatabaseHandler):
    """axes' database handler, plus the per-address limit across accounts."""

    def address_failures(self, request: HttpRequest) -> int:
        attempts = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        )
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def _address_locked(self, request: HttpRequest) -> bool:
        if self.address_failures(request) >= settings.SEGUR_LOGIN_FAILURES_PER_ADDRESS:
            request.segur_lockout_scope = ADDRESS_SCOPE
            return True
        return False

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self._address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        if self._address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes", request=request, username=axes_username(request, credentials),
                ip_address=request.axes_ip_address,
            )


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """The e-mail address a login attempt is counted under.

    Accounts are stored lower-cased: counting "Editeur@…" and "editeur@…" apart would give an
    attacker more tries on the same account.
    """
    raw = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if raw is None:
        raw = (credentials or {}).get("email")
    if raw is None and request is not None and hasattr(request, "POST"):
        raw = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    # Over-long identifiers never reach here from our login forms (organizations.forms); the cut
    # keeps any other caller from overflowing axes' varchar(255) on PostgreSQL.
    return str(raw or "").strip().lower()[: EMAIL_MAX_LENGTH + 1]


def lockout_minutes() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    return max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0


def lockout_message(scope: str | None = None) -> str:
    minutes = lockout_minutes()
    if scope == ADDRESS_SCOPE:
        return (
            f"Trop de tentatives de connexion infructueuses depuis votre adresse : toute connexion "
            f"depuis votre poste est bloquée pendant {minutes} minutes. Réessayez plus tard ou "
            "contactez l'assistance."
        )
    return (
        f"Trop de tentatives de connexion infructueuses : la connexion à ce compte depuis votre "
        f"poste est bloquée pendant {minutes} minutes. Réessayez plus tard ou, si vous avez "
        "oublié votre mot de passe, contactez l'assistance."
    )


def _with_error(form, message: str):
    """An unbound login form showing one error: binding it would validate it, that is try the
    password once more."""
    form.cleaned_data = {}
    form.add_error(None, message)
    return form


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The login page (site or admin) with the lockout message, status 429."""
    from django.contrib.admin.forms import AdminAuthenticationForm

    from segur_funding.organizations.forms import EmailLoginForm

    message = lockout_message(getattr(request, "segur_lockout_scope", None))
    username = axes_username(request, credentials)
    if request.path.startswith(reverse("admin:login")):
        form = _with_error(AdminAuthenticationForm(request, initial={"username": username}), message)
        context = {
            **admin.site.each_context(request),
            "title": "Connexion",
            "form": form,
            "app_path": request.get_full_path(),
            "username": username,
            "next": request.POST.get("next", "") if request.method == "POST" else "",
        }
        return TemplateResponse(request, "admin/login.html", context, status=429).render()
    form = _with_error(EmailLoginForm(request, initial={"username": username}), message)
    context = {"form": form, "next": request.POST.get("next", "") if request.method == "POST" else ""}
    return TemplateResponse(request, "registration/login.html", context, status=429).render()
