"""In-app notifications: the list, read marks, e-mail preferences, and the deadline calendar with
its iCalendar feed. No view sends anything."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from segur_funding.core import clock
from segur_funding.organizations.selectors import user_clients, user_editors

from .constants import KIND_GROUPS
from .deadlines import user_deadlines
from .forms import PreferencesForm
from .ical import CalendarEvent, calendar_render
from .messages import absolute_url
from .models import Notification
from .selectors import (
    calendar_feed_by_token,
    calendar_feed_for,
    notification_get,
    notification_list,
    notification_unread_count,
    preferences_by_kind,
)
from .services import (
    calendar_feed_revoke,
    calendar_feed_rotate,
    calendar_feed_touch,
    notification_mark_read,
    notifications_mark_all_read,
    preferences_update,
)

PAGE_SIZE = 30


def _owned(request: HttpRequest, notification_id: int) -> Notification:
    try:
        return notification_get(user=request.user, notification_id=notification_id)
    except Notification.DoesNotExist:
        raise Http404("Notification introuvable.") from None


def _back_to_list(request: HttpRequest) -> HttpResponseRedirect:
    url = reverse("notifications:list")
    page = request.POST.get("page", "")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


@login_required
def notification_list_view(request: HttpRequest) -> HttpResponse:
    page = Paginator(notification_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    unread_count = notification_unread_count(user=request.user)
    return render(
        request, "notifications/list.html", {"page": page, "unread_count": unread_count}
    )


@login_required
@require_POST
def notification_open_view(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark read, then follow the notification's link (only within this site)."""
    notification = _owned(request, notification_id)
    notification_mark_read(user=request.user, notification_id=notification.pk)
    if notification.link and url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.link)
    return _back_to_list(request)


@login_required
@require_POST
def notification_mark_read_view(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = _owned(request, notification_id)
    notification_mark_read(user=request.user, notification_id=notification.pk)
    return _back_to_list(request)


@login_required
@require_POST
def notifications_mark_all_read_view(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)
    if count:
        text = (
            "1 notification marquée comme lue."
            if count == 1
            else f"{count} notifications marquées comme lues."
        )
        messages.success(request, text)
    return redirect("notifications:list")


@login_required
def preferences_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            preferences_update(user=request.user, email_enabled=form.cleaned_data)
            messages.success(request, "Vos préférences de notification sont enregistrées.")
            return redirect("notifications:preferences")
    else:
        form = PreferencesForm(initial=preferences_by_kind(user=request.user))
    groups = [
        (index, title, [form[kind.value] for kind in kinds])
        for index, (title, kinds) in enumerate(KIND_GROUPS, start=1)
    ]
    return render(request, "notifications/preferences.html", {"form": form, "groups": groups})


# --- Deadline calendar --------------------------------------------------------------------------

# The address of a new calendar feed is shown once, on the page the creation redirects to; only
# the session (server side) holds it meanwhile, never a cookie or a URL.
NEW_FEED_SESSION_KEY = "notifications_new_calendar_url"
# Calendar clients are told to remind the person at 9:00 the day before each deadline.
CALENDAR_ALARM_BEFORE = timedelta(hours=15)


def _feed_offered(user) -> bool:
    return user_editors(user=user).exists() or user_clients(user=user).exists()


@login_required
def deadlines_view(request: HttpRequest) -> HttpResponse:
    """What is due, by when and by whom, for each side the person acts on."""
    today = clock.today()
    sections = [
        {
            "audience": section.audience,
            "title": section.title,
            "rows": [(item, item.link(section.audience)) for item in section.items],
        }
        for section in user_deadlines(user=request.user, today=today)
    ]
    return render(
        request,
        "notifications/deadlines.html",
        {
            "today": today,
            "sections": sections,
            "feed_offered": _feed_offered(request.user),
            "feed": calendar_feed_for(user=request.user),
            "new_feed_url": request.session.pop(NEW_FEED_SESSION_KEY, None),
        },
    )


@login_required
@require_POST
def calendar_feed_create_view(request: HttpRequest) -> HttpResponse:
    if not _feed_offered(request.user):
        raise Http404("Aucune échéance d'éditeur ou de laboratoire.")
    token = calendar_feed_rotate(user=request.user)
    request.session[NEW_FEED_SESSION_KEY] = absolute_url(
        reverse("notifications:calendar_feed", args=[token])
    )
    messages.success(
        request,
        "Votre adresse d'abonnement est créée ; une adresse donnée auparavant ne fonctionne plus.",
    )
    return redirect(f"{reverse('notifications:deadlines')}#abonnement")


@login_required
@require_POST
def calendar_feed_revoke_view(request: HttpRequest) -> HttpResponse:
    if calendar_feed_revoke(user=request.user):
        messages.success(
            request, "Votre adresse d'abonnement est révoquée : elle ne donne plus accès à rien."
        )
    return redirect(f"{reverse('notifications:deadlines')}#abonnement")


def _calendar_domain() -> str:
    return urlsplit(getattr(settings, "SEGUR_SITE_URL", "") or "").hostname or "segur.localhost"


@require_GET
def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed of a person's editor and lab deadlines, opened by the secret token
    (calendar clients cannot log in). An unknown or revoked token is a plain 404."""
    feed = calendar_feed_by_token(token=token)
    if feed is None:
        raise Http404("Calendrier introuvable.")
    user = feed.user
    calendar_feed_touch(feed_id=feed.pk)
    domain = _calendar_domain()
    events: dict[str, CalendarEvent] = {}
    for section in user_deadlines(user=user, include_ans=False):
        for item in section.items:
            if item.due is None or item.key in events:
                continue
            details = [f"À faire par : {item.owner}", f"Échéance : {item.due_display}"]
            if item.window_label:
                details.append(item.window_label)
            details.append("Les échéances des fenêtres de financement sont strictes.")
            events[item.key] = CalendarEvent(
                uid=f"{item.key}@{domain}",
                day=item.due,
                summary=f"{item.label} — {item.subject}",
                description="\n".join(details),
                url=absolute_url(item.link(section.audience)),
                alarm_before=CALENDAR_ALARM_BEFORE,
            )
    body = calendar_render(
        name="Échéances Ségur numérique (SONS)",
        events=sorted(events.values(), key=lambda e: (e.day, e.uid)),
        stamp=clock.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="echeances-segur.ics"'
    # A personal document behind a secret address: no shared cache, no search engine.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
