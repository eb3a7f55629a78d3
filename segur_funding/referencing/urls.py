from django.urls import path

from . import views

app_name = "referencing"

urlpatterns = [
    path("", views.dossier_list, name="dossier_list"),
    path("solutions/", views.solution_list, name="solution_list"),
    path("solutions/<int:pk>/versions/", views.solution_version_add, name="solution_version_add"),
    path("dossiers/nouveau/", views.dossier_create, name="dossier_create"),
    path("dossiers/<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path("dossiers/<int:pk>/candidature/", views.candidature_edit, name="candidature_edit"),
    path("dossiers/<int:pk>/actions/<str:action>/", views.dossier_action, name="dossier_action"),
    path("dossiers/<int:pk>/preuves/", views.proofs_upload, name="proofs_upload"),
    path(
        "dossiers/<int:pk>/preuves/correspondance/", views.proofs_match, name="proofs_match"
    ),
    path("dossiers/<int:pk>/attestation/", views.certificate_download, name="certificate_download"),
    path("fichiers/<int:pk>/", views.proof_file_download, name="proof_file_download"),
    path("solutions-referencees/", views.public_list, name="public_list"),
]
