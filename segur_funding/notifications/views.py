"""In-app notifications: the list, read marks and e-mail preferences. No view sends anything."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .constants import KIND_GROUPS
from .forms import PreferencesForm
from .models import Notification
from .selectors import (
    notification_get,
    notification_list,
    notification_unread_count,
    preferences_by_kind,
)
from .services import notification_mark_read, notifications_mark_all_read, preferences_update

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
