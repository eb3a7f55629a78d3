"""Pages of 50 rows for the web lists: an editor at national scale has tens of thousands."""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PER_PAGE = 50


def page_of(
    request: HttpRequest, queryset: QuerySet, *, per_page: int = PER_PAGE, param: str = "page"
) -> Page:
    """The requested page (?<param>=N); an out-of-range or malformed number gives the nearest page.

    `page.links` holds the query strings of the first, previous, next and last pages: they keep
    the rest of the query, so two lists on one page (each with its own `param`) page on their own.
    """
    page = Paginator(queryset, per_page).get_page(request.GET.get(param))
    page.links = _links(request, page, param)
    return page


@dataclass
class UncountedPage:
    """A page of a list too costly to count (every row is checked against other tables): the
    rows and whether more follow, read with one more row than the page shows."""

    object_list: list
    number: int
    more: bool
    links: dict[str, str] = field(default_factory=dict)
    paginator: None = None  # no total: the template shows "page N" without "/ M"

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.more

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next()

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def uncounted_page_of(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    per_page: int = PER_PAGE,
    param: str = "page",
    by_ids: bool = False,
) -> UncountedPage:
    """Like page_of, without COUNT(*): a malformed or non-positive number gives the first page,
    one past the end an empty page with a link back.

    `by_ids` reads the page in two steps: the ids of the page (one index, when an index covers
    the filter and the order: no table row is read), then those rows with their joins. One more
    query, and a page that costs the same whatever the size of the table and the planner's
    mood: without it, a large tenant's page may walk the whole table's order and filter out
    the other tenants' rows (bench/NOTES.md, issue 17)."""
    try:
        number = max(1, int(request.GET.get(param, 1)))
    except ValueError:
        number = 1
    start = (number - 1) * per_page
    if by_ids:
        ids = list(queryset.values_list("pk", flat=True)[start : start + per_page + 1])
        found = queryset.order_by().in_bulk(ids)
        rows = [found[pk] for pk in ids if pk in found]
    else:
        rows = list(queryset[start : start + per_page + 1])
    page = UncountedPage(object_list=rows[:per_page], number=number, more=len(rows) > per_page)
    page.links = _links(request, page, param)
    return page


def _links(request: HttpRequest, page: Page | UncountedPage, param: str) -> dict[str, str]:
    def to(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return "?" + query.urlencode()

    links = {}
    if page.has_previous():
        links |= {"first": to(1), "previous": to(page.previous_page_number())}
    if page.has_next():
        links["next"] = to(page.next_page_number())
        if page.paginator is not None:
            links["last"] = to(page.paginator.num_pages)
    return links
