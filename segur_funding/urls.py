from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from segur_funding.dashboard import verification as verification_views
from segur_funding.dashboard import views as dashboard_views
from segur_funding.organizations.forms import EmailLoginForm

admin.site.site_header = "segur_funding — instruction ANS / ASP"
admin.site.site_title = "segur_funding"
admin.site.index_title = "Instruction des dossiers"

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    # Short on purpose: printed under a QR code on quotes and referencing certificates.
    path("v/<str:token>/", verification_views.verify_token, name="verify_token"),
    path("verifier-un-devis/", verification_views.verify_quote, name="verify_quote"),
    path("connexion/", auth_views.LoginView.as_view(authentication_form=EmailLoginForm), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("segur_funding.api_urls")),
    path("statistiques/", include("segur_funding.dashboard.urls")),
    path("compte/", include("segur_funding.organizations.urls")),
    path("referencement/", include("segur_funding.referencing.urls")),
    path("devis/", include("segur_funding.quotes.urls")),
    path("financement/", include("segur_funding.funding.urls")),
    path("notifications/", include("segur_funding.notifications.urls")),
]
