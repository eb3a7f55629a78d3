"""Login hardening hooks for django-axes (settings: AXES_USERNAME_CALLABLE, AXES_LOCKOUT_CALLABLE).

A locked-out visitor gets the login page back, with the reason and the waiting time in French,
and HTTP 429 (Too Many Requests): the form stays where it was, only the answer changes.
"""

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse


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
    return str(raw or "").strip().lower()


def lockout_minutes() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    return max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0


def lockout_message() -> str:
    minutes = lockout_minutes()
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

    message = lockout_message()
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
