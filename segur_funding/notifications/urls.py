from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list_view, name="list"),
    path("tout-lu/", views.notifications_mark_all_read_view, name="mark_all_read"),
    path("preferences/", views.preferences_view, name="preferences"),
    path("echeances/", views.deadlines_view, name="deadlines"),
    path("echeances/abonnement/", views.calendar_feed_create_view, name="calendar_feed_create"),
    path(
        "echeances/abonnement/revoquer/",
        views.calendar_feed_revoke_view,
        name="calendar_feed_revoke",
    ),
    path(
        "echeances/calendrier/<str:token>.ics", views.calendar_feed_view, name="calendar_feed"
    ),
    path("<int:notification_id>/ouvrir/", views.notification_open_view, name="open"),
    path("<int:notification_id>/lue/", views.notification_mark_read_view, name="mark_read"),
]
