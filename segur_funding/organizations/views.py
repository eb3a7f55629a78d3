"""The user's account pages: the API token for integrations, and the password reset by e-mail.

The API key is shown once, on the page right after its creation (it travels through the session
to survive the redirect, and is removed from it as soon as it is shown).
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from . import selectors, services
from .forms import PasswordResetRequestForm

NEW_KEY_SESSION = "segur_new_api_token"


@never_cache
@login_required
def api_token(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        confirmed = request.POST.get("confirm") == "on"
        if action == "create":
            has_token = selectors.api_token_created_at(user=request.user) is not None
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
            "created_at": selectors.api_token_created_at(user=request.user),
            "new_key": new_key,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view: whether the address has an account or not, the same page follows
    (the form queues the e-mail for active accounts only, see services.password_reset_email_send)."""

    template_name = "registration/password_reset_form.html"
    form_class = PasswordResetRequestForm
