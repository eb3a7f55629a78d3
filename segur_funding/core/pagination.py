"""Pages of 50 rows for the web lists: an editor at national scale has tens of thousands."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PER_PAGE = 50


def page_of(request: HttpRequest, queryset: QuerySet, *, per_page: int = PER_PAGE) -> Page:
    """The requested page (?page=N); an out-of-range or malformed number gives the nearest page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
