"""The footer's mandatory pages, at the root of the site (namespace `pages`)."""

from django.urls import path

from . import pages

app_name = "pages"

urlpatterns = [
    path("accessibilite/", pages.accessibility, name="accessibility"),
    path("mentions-legales/", pages.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", pages.personal_data, name="personal_data"),
    path("gestion-des-cookies/", pages.cookies, name="cookies"),
    path("plan-du-site/", pages.sitemap, name="sitemap"),
]
