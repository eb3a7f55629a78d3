from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("jeton-api/", views.api_token, name="api_token"),
]
