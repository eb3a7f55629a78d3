from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("devis/<int:quote_pk>/signaler/", views.alert_create, name="create"),
    path("laboratoire/<int:pk>/", views.lab_detail, name="lab_detail"),
    path("editeur/", views.editor_list, name="editor_list"),
    path("editeur/<int:pk>/", views.editor_detail, name="editor_detail"),
]
