from django.urls import path

from . import bank_views, views

app_name = "funding"

urlpatterns = [
    path("", views.editor_list, name="editor_list"),
    path("devis/<int:quote_pk>/avance/", views.advance_file, name="advance_file"),
    path("devis/<int:quote_pk>/solde/", views.balance_file, name="balance_file"),
    path("demandes/<int:pk>/", views.request_detail, name="request_detail"),
    path("demandes/<int:pk>/facture/", views.request_invoice, name="request_invoice"),
    path(
        "demandes/<int:pk>/corrections/<int:correction_pk>/<int:index>/<str:side>/",
        views.correction_document,
        name="correction_document",
    ),
    path("coordonnees-bancaires/", bank_views.bank_details, name="bank_details"),
    path("coordonnees-bancaires/<int:pk>/rib/", bank_views.bank_details_document, name="bank_document"),
]
