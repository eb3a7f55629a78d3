from django.urls import path

from . import oidc, views

app_name = "organizations"

urlpatterns = [
    path("jeton-api/", views.api_token, name="api_token"),
    path("demande/", views.account_request_create, name="account_request"),
    path("demande/envoyee/", views.account_request_done, name="account_request_done"),
    path("activer/<uidb64>/<token>/", views.AccountActivateView.as_view(), name="account_activate"),
    path("organisation/", views.organization_members, name="members"),
    path("double-authentification/", views.two_factor_status, name="two_factor"),
    path("double-authentification/activer/", views.two_factor_setup, name="two_factor_setup"),
    path("double-authentification/code/", views.two_factor_verify, name="two_factor_verify"),
    # Single sign-on (ProConnect / Pro Santé Connect): 404 unless configured. The provider is
    # given <SEGUR_SITE_URL>/compte/sso/retour/ as the redirect URI.
    path("sso/", oidc.OidcAuthenticateView.as_view(), name="oidc_login"),
    path("sso/retour/", oidc.OidcCallbackView.as_view(), name="oidc_callback"),
]
