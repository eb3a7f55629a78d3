"""Account pages: API token, account requests, choosing or resetting a password, the members,
the second factor of reviewers (two_factor.py says how it works).

The API key is shown once, on the page right after its creation (it travels through the session
to survive the redirect, and is removed from it as soon as it is shown).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache

from segur_funding.core.errors import DomainError

from . import accounts, rules, selectors, services, two_factor
from .forms import (
    AccountRequestForm,
    EmailLoginForm,
    MemberInviteForm,
    PasswordResetRequestForm,
    SecondFactorCodeForm,
)
from .models import Membership

NEW_KEY_SESSION = "segur_new_api_token"


@never_cache
@login_required
def api_token(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        confirmed = request.POST.get("confirm") == "on"
        if action == "create":
            has_token = selectors.api_token_of(user=request.user) is not None
            if has_token and not confirmed:
                errors["create"] = "Cochez la case pour confirmer : l'ancien jeton cessera de fonctionner."
            else:
                request.session[NEW_KEY_SESSION] = services.api_token_create(user=request.user)
                messages.success(request, "Votre jeton d'API est créé. Copiez-le maintenant : il ne sera "
                                 "plus affiché.")
                return redirect("organizations:api_token")
        elif action == "revoke":
            if not confirmed:
                errors["revoke"] = "Cochez la case pour confirmer la révocation du jeton."
            elif services.api_token_revoke(user=request.user):
                messages.success(
                    request, "Votre jeton d'API est révoqué : il ne permet plus d'accéder à l'API."
                )
                return redirect("organizations:api_token")
            else:
                messages.info(request, "Vous n'aviez pas de jeton d'API.")
                return redirect("organizations:api_token")
    new_key = request.session.pop(NEW_KEY_SESSION, None)
    return render(
        request,
        "organizations/api_token.html",
        {
            "token": selectors.api_token_of(user=request.user),
            "new_key": new_key,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# --- Ways in: account requests, activation, members ------------------------------------------

# An anonymous form: a few requests per address and hour are plenty for a person, and the cap
# keeps a script from filling the reviewers' queue.
ACCOUNT_REQUESTS_PER_HOUR = 5


def _client_address(request: HttpRequest) -> str:
    # django-axes' reading of the address honours DJANGO_PROXY_COUNT, like the login lockout.
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or "unknown"


def account_request_create(request: HttpRequest) -> HttpResponse:
    form = AccountRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        # Only recorded requests count: a person correcting a typo is not held back.
        key = f"segur:account-request:{_client_address(request)}"
        if (cache.get(key) or 0) >= ACCOUNT_REQUESTS_PER_HOUR:
            form.add_error(
                None, "Trop de demandes envoyées depuis votre connexion : réessayez dans une heure."
            )
            return render(request, "organizations/account_request_form.html", {"form": form}, status=429)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                accounts.account_request_submit(data=fields)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                cache.add(key, 0, timeout=3600)
                cache.incr(key)
                return redirect("organizations:account_request_done")
        status = 400
    return render(request, "organizations/account_request_form.html", {"form": form}, status=status)


def account_request_done(request: HttpRequest) -> HttpResponse:
    return render(request, "organizations/account_request_done.html")


class AccountActivateView(auth_views.PasswordResetConfirmView):
    """Choose a password from the e-mailed link (account opening or invitation)."""

    template_name = "organizations/account_activate.html"
    post_reset_login = False

    def get_success_url(self) -> str:
        return reverse("login")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request, "Votre mot de passe est enregistré : connectez-vous avec votre adresse e-mail."
        )
        return response


@never_cache
@login_required
def organization_members(request: HttpRequest) -> HttpResponse:
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("organization")
        .order_by("organization__name")
    )
    if not memberships:
        raise Http404
    organization_id = request.GET.get("organisation") or request.POST.get("organisation")
    current = next((m for m in memberships if str(m.organization_id) == organization_id), memberships[0])
    organization = current.organization
    form = MemberInviteForm()
    status = 200
    if request.method == "POST" and current.is_admin:
        action = request.POST.get("action")
        try:
            if action == "invite":
                form = MemberInviteForm(request.POST)
                if form.is_valid():
                    sent = accounts.member_invite(
                        organization=organization, by=request.user, **form.cleaned_data
                    )
                    email = form.cleaned_data["email"]
                    if sent:
                        messages.success(
                            request, f"{email} est ajouté à {organization.name} : un e-mail lui est envoyé."
                        )
                    else:
                        messages.warning(
                            request,
                            f"{email} est ajouté à {organization.name}, mais l'e-mail n'a pas pu partir : "
                            "réessayez plus tard ou prévenez la personne.",
                        )
                    return redirect(f"{reverse('organizations:members')}?organisation={organization.pk}")
                status = 400
            elif action == "revoke":
                target = (
                    Membership.objects.filter(pk=request.POST.get("membership"), organization=organization)
                    .select_related("user")
                    .first()
                )
                if target is None:
                    raise Http404
                accounts.membership_revoke(membership=target, by=request.user)
                messages.success(request, f"{target.user.email} ne fait plus partie de {organization.name}.")
                return redirect(f"{reverse('organizations:members')}?organisation={organization.pk}")
        except DomainError as error:
            messages.error(request, error.message)
            status = 400
    elif request.method == "POST":
        raise PermissionDenied
    members = (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("-is_admin", "user__last_name", "user__email")
    )
    return render(
        request,
        "organizations/members.html",
        {
            "organization": organization,
            "memberships": memberships,
            "current": current,
            "members": members,
            "form": form,
        },
        status=status,
    )
class LoginView(auth_views.LoginView):
    """Django's login, with « Se connecter avec ProConnect » when single sign-on is configured."""

    authentication_form = EmailLoginForm

    def get_context_data(self, **kwargs):
        from . import oidc

        context = super().get_context_data(**kwargs)
        context["sso_provider"] = oidc.provider_name() if oidc.oidc_enabled() else None
        context["next_query"] = urlencode({"next": context.get("next") or ""})
        return context


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view: whether the address has an account or not, the same page follows
    (the form queues the e-mail for active accounts only, see services.password_reset_email_send)."""

    template_name = "registration/password_reset_form.html"
    form_class = PasswordResetRequestForm


# --- Second factor (reviewers and administrators) ----------------------------------------------

NEW_BACKUP_CODES_SESSION = "segur_new_backup_codes"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: a QR code (and the secret as text) for an authenticator app, a first code."""
    import segno

    user = request.user
    if not two_factor.needs_second_factor(user):
        raise Http404
    next_url = _next_url(request)
    if two_factor.totp_device_of(user) is not None:
        target = "organizations:two_factor_verify"
        if not two_factor.second_factor_missing(request):
            target = "organizations:two_factor"
        return redirect(_with_next(target, next_url))
    device = two_factor.totp_enrolment_start(user=user)
    # A wrong code answers 200 with the error, as Django's login form does for a wrong password.
    form = SecondFactorCodeForm(request.POST or None, enrolment=True)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.totp_enrolment_confirm(request=request, code=form.cleaned_data["code"])
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            request.session[NEW_BACKUP_CODES_SESSION] = codes
            messages.success(request, "La double authentification est activée pour votre compte.")
            return redirect(_with_next("organizations:two_factor", next_url))
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr_code": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=4),
            "secret": rules.totp_secret_display(device.key),
            "config_url": device.config_url,
        },
    )


@never_cache
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The code after the password."""
    user = request.user
    next_url = _next_url(request)
    if not two_factor.second_factor_missing(request):
        return redirect(next_url)
    device = two_factor.totp_device_of(user)
    if device is None:
        return redirect(_with_next("organizations:two_factor_setup", next_url))
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice = two_factor.second_factor_verify(request=request, code=form.cleaned_data["code"])
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            if notice:
                messages.warning(request, notice)
            return redirect(next_url)
    return render(
        request,
        "registration/two_factor_verify.html",
        {
            "form": form,
            "next": next_url,
            # Demo accounts sign in only in demo mode: showing their code there costs nothing and
            # keeps the demo usable without an authenticator app (README, « Démonstration »).
            "demo_code": two_factor.totp_next_code(device) if two_factor.demo_code_shown(user) else None,
        },
    )


@never_cache
@login_required
def two_factor_status(request: HttpRequest) -> HttpResponse:
    """The second factor of one's account: backup codes left, renew them (shown once)."""
    user = request.user
    if not two_factor.needs_second_factor(user):
        raise Http404
    if request.method == "POST" and request.POST.get("action") == "renew":
        request.session[NEW_BACKUP_CODES_SESSION] = two_factor.backup_codes_renew(user=user)
        messages.success(
            request, "Vos nouveaux codes de secours sont prêts : les anciens ne fonctionnent plus."
        )
        return redirect(_with_next("organizations:two_factor", _next_url(request)))
    return render(
        request,
        "registration/two_factor_status.html",
        {
            "device": two_factor.totp_device_of(user),
            "backup_codes_left": two_factor.backup_codes_left(user),
            "new_codes": request.session.pop(NEW_BACKUP_CODES_SESSION, None),
            "next": _next_url(request),
        },
    )
