from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.statistics, name="statistics"),
    path("donnees-par-dsr.csv", views.statistics_table_csv, name="statistics_table_csv"),
    path("donnees-par-semaine.csv", views.statistics_weeks_csv, name="statistics_weeks_csv"),
]
