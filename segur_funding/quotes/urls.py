from django.urls import path

from . import views

app_name = "quotes"

urlpatterns = [
    path("", views.index, name="index"),
    path("editeur/", views.editor_list, name="editor_list"),
    path("editeur/nouveau/", views.editor_create, name="editor_create"),
    path("editeur/<int:pk>/", views.editor_detail, name="editor_detail"),
    path("editeur/<int:pk>/modifier/", views.editor_edit, name="editor_edit"),
    path("editeur/<int:pk>/emettre/", views.editor_issue, name="editor_issue"),
    path("editeur/<int:pk>/annuler/", views.editor_cancel, name="editor_cancel"),
    path("editeur/<int:pk>/devis.pdf", views.editor_pdf, name="editor_pdf"),
    path("editeur/<int:pk>/devis-signe.pdf", views.editor_signed_pdf, name="editor_signed_pdf"),
    path("laboratoire/", views.lab_list, name="lab_list"),
    path("laboratoire/deposer/", views.lab_upload, name="lab_upload"),
    path("laboratoire/<int:pk>/", views.lab_detail, name="lab_detail"),
    path("laboratoire/<int:pk>/signer/", views.lab_sign, name="lab_sign"),
    path("laboratoire/<int:pk>/mise-en-ordre-de-marche/", views.lab_deliver, name="lab_deliver"),
    path("laboratoire/<int:pk>/rapport.pdf", views.lab_report_pdf, name="lab_report_pdf"),
    path("laboratoire/<int:pk>/devis.pdf", views.lab_pdf, name="lab_pdf"),
    path("laboratoire/<int:pk>/devis-signe.pdf", views.lab_signed_pdf, name="lab_signed_pdf"),
]
