"""The user's account page for integrations: create (or renew) and revoke the API token.

The key is shown once, on the page right after its creation (it travels through the session
to survive the redirect, and is removed from it as soon as it is shown).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from . import selectors, services

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
