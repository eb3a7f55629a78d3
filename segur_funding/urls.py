from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from segur_funding.dashboard import verification as verification_views
from segur_funding.dashboard import views as dashboard_views
from segur_funding.organizations import views as organization_views

admin.site.site_header = "Ségur numérique — instruction ANS / ASP"
admin.site.site_title = "Ségur numérique SONS"
admin.site.index_title = "Instruction des dossiers"

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("mon-espace/", dashboard_views.my_space_view, name="my_space"),
    # Short on purpose: printed under a QR code on quotes and referencing certificates.
    path("v/<str:token>/", verification_views.verify_token, name="verify_token"),
    path("verifier-un-devis/", verification_views.verify_quote, name="verify_quote"),
    path("connexion/", organization_views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/oublie/", organization_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe/oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("segur_funding.api_urls")),
    path("statistiques/", include("segur_funding.dashboard.urls")),
    path("compte/", include("segur_funding.organizations.urls")),
    path("referencement/", include("segur_funding.referencing.urls")),
    path("devis/", include("segur_funding.quotes.urls")),
    path("financement/", include("segur_funding.funding.urls")),
    path("signalements/", include("segur_funding.alerts.urls")),
    path("notifications/", include("segur_funding.notifications.urls")),
    path("", include("segur_funding.dashboard.page_urls")),
]
