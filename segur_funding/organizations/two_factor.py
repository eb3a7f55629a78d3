"""Second factor for the people who reach the admin: TOTP (RFC 6238) and backup codes, django-otp.

Who: `rules.second_factor_required` (staff and superusers: ANS / ASP reviewers, administrators).
How: the password signs the person in as usual (site or admin login form, or ProConnect); until a
code is given in that session, `SecondFactorMiddleware` lets the session reach only the
second-factor pages and the logout: every other page redirects to the code page (or to the
enrolment page for someone without an authenticator yet), the API treats the session as
anonymous (API keys are their own credential and keep working), and the admin site's
`has_permission` asks for the verified session too, should a page escape the middleware.

Enrolment happens once, right after the first password login: a QR code and the secret as text,
confirmed by a first code; ten single-use backup codes are shown then (and can be renewed). A
person who lost their phone asks an administrator, who deletes their TOTP device in the admin
(*Double authentification : applications*): the next login enrols again. Enrolment is refused
while a confirmed device exists, so a stolen password alone never replaces the phone.

django-otp keeps what matters for safety: a code is accepted once (a later step only), failures
are throttled per device with a doubling delay, and `verify_token` locks the device row.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django_otp import login as otp_login
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from segur_funding.core.errors import DomainError

from .models import User
from .rules import is_demo_email, otp_code_normalized, second_factor_required

BACKUP_CODES = 10
DEVICE_NAME = "Application d'authentification"
BACKUP_DEVICE_NAME = "Codes de secours"

WRONG_CODE = (
    "Code incorrect. Saisissez le code à 6 chiffres affiché en ce moment par votre application "
    "d'authentification (il change toutes les 30 secondes), ou l'un de vos codes de secours."
)


def needs_second_factor(user) -> bool:
    return bool(user.is_authenticated) and second_factor_required(
        is_staff=user.is_staff, is_superuser=user.is_superuser
    )


def second_factor_missing(request: HttpRequest) -> bool:
    """Whether this session belongs to someone who must give a code and has not given it yet."""
    user = request.user
    return needs_second_factor(user) and not (hasattr(user, "is_verified") and user.is_verified())


def totp_device_of(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Enrolment --------------------------------------------------------------------------------


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The device being enrolled (unconfirmed, its secret shown as a QR code until confirmed);
    the same one on every visit, so that reloading the page does not change the QR code."""
    if totp_device_of(user) is not None:
        raise DomainError("La double authentification est déjà activée pour ce compte.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_enrolment_confirm(*, request: HttpRequest, code: str) -> list[str]:
    """Checks the first code, confirms the device, opens the session's second factor and returns
    the backup codes to show once."""
    user = request.user
    if totp_device_of(user) is not None:
        raise DomainError("La double authentification est déjà activée pour ce compte.")
    device = (
        TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    )
    token = otp_code_normalized(code)
    if device is None:
        raise DomainError("L'activation a expiré : rechargez la page pour obtenir un nouveau QR code.")
    if token is None or not token.isdigit() or not device.verify_token(token):
        raise DomainError(WRONG_CODE)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = backup_codes_renew(user=user)
    _session_verified(request, device)
    return codes


@transaction.atomic
def backup_codes_renew(*, user: User) -> list[str]:
    """Ten new single-use backup codes; the previous ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


# --- Login: the code after the password ---------------------------------------------------------


def second_factor_verify(*, request: HttpRequest, code: str) -> str:
    """Accepts a TOTP code or a backup code (used up), or raises a French DomainError. Returns
    what to tell the person: after a backup code, how many are left and what to do next."""
    user = request.user
    token = otp_code_normalized(code)
    if token is None:
        raise DomainError(WRONG_CODE)
    with transaction.atomic():
        devices: list = []
        totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if totp is not None and token.isdigit() and len(token) == totp.digits:
            devices.append(totp)
        elif not token.isdigit() or len(token) != 6:
            devices.extend(StaticDevice.objects.select_for_update().filter(user=user, confirmed=True))
        for device in devices:
            allowed, details = device.verify_is_allowed()
            if not allowed:
                raise DomainError(_throttled(details))
            if device.verify_token(token):
                _session_verified(request, device)
                return _backup_code_notice(user) if isinstance(device, StaticDevice) else ""
    raise DomainError(WRONG_CODE)


def _backup_code_notice(user: User) -> str:
    left = backup_codes_left(user)
    count = f"il vous en reste {left}" if left else "c'était votre dernier"
    return (
        f"Code de secours accepté ; il ne servira plus ({count}). Si vous avez perdu votre "
        "téléphone, demandez à l'administrateur de la plateforme de réinitialiser votre double "
        "authentification ; vous pouvez aussi générer de nouveaux codes de secours depuis la page "
        "« Double authentification »."
    )


def _throttled(details: dict | None) -> str:
    locked_until = (details or {}).get("locked_until")
    if locked_until is None:
        return "Trop d'essais : réessayez dans quelques instants."
    from segur_funding.core import clock

    seconds = max(1, int((locked_until - clock.now()).total_seconds()) + 1)
    return f"Trop de codes incorrects : réessayez dans {seconds} seconde{'s' if seconds > 1 else ''}."


def _session_verified(request: HttpRequest, device) -> None:
    # A new session key when the session gains its second factor, as Django does at login: a key
    # seen before this point (a fixed session) is worth nothing after it.
    request.session.cycle_key()
    otp_login(request, device)


def totp_next_code(device: TOTPDevice) -> str:
    """The code an authenticator holding this device's secret shows now, or the next one when the
    current one was already used (a code is accepted once). Shown to demo reviewers in demo mode
    (see the view) and used by the tests to sign reviewers in."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    step = max(totp.t(), device.last_t + 1)
    return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"


def demo_code_shown(user: User) -> bool:
    return settings.SEGUR_DEMO_MODE and is_demo_email(user.email or "")


# --- Where a session without its second factor may go --------------------------------------------

OPEN_VIEWS = frozenset(
    {
        "logout",
        "organizations:two_factor_setup",
        "organizations:two_factor_verify",
    }
)


class SecondFactorMiddleware:
    """After AuthenticationMiddleware and django-otp's OTPMiddleware (which tells `is_verified`)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not second_factor_missing(request):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if match.view_name in OPEN_VIEWS:
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            # The API ignores such a session (DRF's SessionAuthentication reads this user); an
            # `Authorization: Token` header still authenticates the call.
            request.user = AnonymousUser()
            return self.get_response(request)
        target = "organizations:two_factor_verify"
        if totp_device_of(request.user) is None:
            target = "organizations:two_factor_setup"
        next_url = request.get_full_path() if request.method == "GET" else ""
        url = reverse(target)
        return redirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)
