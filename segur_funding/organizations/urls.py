from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("jeton-api/", views.api_token, name="api_token"),
    path("demande/", views.account_request_create, name="account_request"),
    path("demande/envoyee/", views.account_request_done, name="account_request_done"),
    path("activer/<uidb64>/<token>/", views.AccountActivateView.as_view(), name="account_activate"),
    path("organisation/", views.organization_members, name="members"),
]
