"""What the reviewers' admin pages share: changelists over national-scale tables, refusals with a reason."""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html

from .paginator import EstimatedCountPaginator


class RowsReadWithTheObject(BaseInlineFormSet):
    """An inline's rows taken from its parent object when the page read them with it
    (`prefetch_related` of the relation, or `select_related` of a one-to-one): the page and the
    inline then share one query instead of two. Otherwise Django's own query."""

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            rows = _rows_read_with(self.instance, self.fk)
            if rows is None:
                return super().get_queryset()
            self._queryset = rows
        return self._queryset


def _rows_read_with(instance, fk) -> list | None:
    """The rows of `instance` that point to it through `fk`, if already read, else None."""
    if instance is None or instance.pk is None:
        return None
    related = fk.remote_field
    if related.one_to_one:
        if not related.is_cached(instance):
            return None
        row = related.get_cached_value(instance)
        return [] if row is None else [row]
    prefetched = getattr(instance, "_prefetched_objects_cache", {}).get(related.cache_name)
    if prefetched is None:
        return None
    # Django's formset orders unordered rows by their key: the same order.
    return list(prefetched) if prefetched.ordered else sorted(prefetched, key=lambda row: row.pk)


class ReadOnlyInlineMixin:
    """An inline written by the services only (history, corrections, payments, a quote's lines):
    shown, never edited. Tabular ones use `READ_ONLY_TABULAR`: no empty header cells (axe) and the
    table in its own keyboard-reachable scroll container (a phone's page never scrolls sideways).
    Its rows come from the page's object when the page read them with it (`RowsReadWithTheObject`):
    read them there with the inline's ordering and `select_related`."""

    extra = 0
    can_delete = False
    formset = RowsReadWithTheObject

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


READ_ONLY_TABULAR = "admin/segur/tabular_readonly.html"


class FastChangeList(ChangeList):
    """Django's changelist, with each row's link made from one reversed URL (a `reverse()` per row
    and per link column was a tenth of a 50-row page's CPU); its rows are drawn by
    `{% fast_result_list %}` (core/templatetags/segur_admin_list.py, templates/admin/change_list.html)."""

    PK_MARKER = "0"

    def change_url_pattern(self) -> str:
        """The change page's URL of a row whose key is PK_MARKER."""
        return super().url_for_result(type("Row", (), {self.pk_attname: self.PK_MARKER})())

    def url_for_result(self, result) -> str:
        from django.contrib.admin.utils import quote

        if not hasattr(self, "_change_url"):
            head, _, tail = self.change_url_pattern().rpartition(f"/{self.PK_MARKER}/")
            self._change_url = (head + "/", "/" + tail)
        head, tail = self._change_url
        return f"{head}{quote(getattr(result, self.pk_attname))}{tail}"


class LargeListAdmin:
    """A ModelAdmin mixin for the reviewers' lists over tables of up to millions of rows.

    - no full COUNT(*): the page count is exact up to 10,000 rows and an estimate past it
      (core/paginator.py), and the unfiltered total is not counted at all;
    - the row's selection box written directly: Django renders it through the form widget
      templates, about a tenth of a 50-row page's CPU (bench/NOTES.md, « Admin pages »).
    """

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50  # the admin renders ~0.5 ms of CPU per row

    def action_checkbox(self, obj) -> str:
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="Choisir cet objet pour une action - {}">',
            ACTION_CHECKBOX_NAME,
            obj.pk,
            self.checkbox_label(obj),
        )

    def get_changelist(self, request, **kwargs) -> type[ChangeList]:
        return FastChangeList

    def checkbox_label(self, obj) -> str:
        """What the row's selection box is called (a screen reader says it): the object's name,
        unless reading it would cost a query per row."""
        return str(obj)


def changelist_deferring(*fields: str) -> type[ChangeList]:
    """A changelist that leaves heavy columns (quote documents and reports, stored as JSON) out of
    its query: the list shows none of them, and decoding them is a good share of a page's CPU."""

    class DeferringChangeList(FastChangeList):
        def get_queryset(self, request, exclude_parameters=None):
            return super().get_queryset(request, exclude_parameters).defer(*fields)

    return DeferringChangeList


def reason_action(
    modeladmin,
    request,
    queryset,
    *,
    action: str,
    title: str,
    explanation: str,
    submit_label: str,
    apply,
    done: str = "refus enregistré.",
    text_label: str = "Motif (obligatoire)",
):
    """An admin action that needs a text (a refusal's reason, an answer): a confirmation page with
    a text area, then `apply(obj, text)` on each object, each DomainError shown next to its object.

    Returns the page to show, or None once applied (the admin goes back to the list)."""
    from django.contrib import messages
    from django.contrib.admin import helpers
    from django.template.response import TemplateResponse

    from segur_funding.core.errors import DomainError

    reason = request.POST.get("reason", "").strip()
    if request.POST.get("confirm") == "yes":
        if not reason:
            modeladmin.message_user(request, "Indiquez le motif : il est communiqué.", messages.ERROR)
        else:
            for obj in queryset:
                try:
                    apply(obj, reason)
                except DomainError as error:
                    modeladmin.message_user(request, f"{obj} : {error.message}", messages.ERROR)
                else:
                    modeladmin.message_user(request, f"{obj} : {done}", messages.SUCCESS)
            return None
    return TemplateResponse(
        request,
        "admin/segur_reason_action.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "explanation": explanation,
            "submit_label": submit_label,
            "objects": queryset,
            "opts": modeladmin.model._meta,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "reason": reason,
            "text_label": text_label,
        },
    )


# --- Dates as a French reader writes them ----------------------------------------------------------


def fr_date(value) -> str:
    """« 3 décembre 2026 » (a datetime: its Europe/Paris day and « à 14:05 »); « — » when empty.

    Every date a reviewer reads in the admin goes through this or the `date` template filter
    without an argument (the same DATE_FORMAT of the French locale): never an ISO date."""
    from datetime import datetime

    from django.utils import formats, timezone

    if not value:
        return "—"
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{formats.date_format(local, 'DATE_FORMAT')} à {local:%H:%M}"
    return formats.date_format(value, "DATE_FORMAT")


def numbered(noun: str):
    """A list's first column, « Signalement n° 8 » rather than a bare « 8 »: a screen reader
    lists a page's links by their names."""
    from django.contrib import admin

    @admin.display(description="n°", ordering="pk")
    def number(obj) -> str:
        return f"{noun} n° {obj.pk}"

    return number


def fr_days(days: int) -> str:
    return f"{days} jour" if abs(days) <= 1 else f"{days} jours"


# --- Reviewers' queues: assignment ------------------------------------------------------------------


def assigned_filter(*, mine: str, nobody: str):
    """A list filter « assignés à moi » / « non assignés »: the reviewer's own queue (on an
    `assigned_to` column)."""
    from django.contrib import admin

    class AssignedFilter(admin.SimpleListFilter):
        title = "assignation"
        parameter_name = "assignation"

        def lookups(self, request, model_admin):
            return [("moi", mine), ("personne", nobody)]

        def queryset(self, request, queryset):
            if self.value() == "moi":
                return queryset.filter(assigned_to=request.user)
            if self.value() == "personne":
                return queryset.filter(assigned_to__isnull=True)
            return queryset

    return AssignedFilter


def assign_view(modeladmin, request, queryset, *, reviewers, action: str):
    """The « Assigner à un instructeur » admin action: a page to choose the reviewer (or nobody),
    then one UPDATE and one admin log row per object. `reviewers` are the users who may instruct
    these objects; anyone else posted is refused with a French message, nothing written."""
    from django.contrib import messages
    from django.contrib.admin import helpers
    from django.template.response import TemplateResponse

    choices = list(reviewers)
    chosen = request.POST.get("reviewer", "")
    if request.POST.get("confirm") == "yes":
        if chosen == "":
            modeladmin.message_user(request, "Choisissez l'instructeur (ou « personne »).", messages.ERROR)
        else:
            reviewer = next((u for u in choices if str(u.pk) == chosen), None)
            if chosen != "personne" and reviewer is None:
                modeladmin.message_user(
                    request, "Cet utilisateur n'est pas instructeur : rien n'a été assigné.", messages.ERROR
                )
                return None
            return assign(modeladmin, request, queryset, reviewer=reviewer)
    return TemplateResponse(
        request,
        "admin/segur_assign_action.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Assigner à un instructeur",
            "objects": queryset,
            "reviewers": choices,
            "chosen": chosen,
            "opts": modeladmin.model._meta,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )


def assign(modeladmin, request, queryset, *, reviewer) -> None:
    """Assign every object of `queryset` to `reviewer` (None: to nobody), say so, log it."""
    from django.contrib import messages

    objects = list(queryset)
    queryset.model.objects.filter(pk__in=[o.pk for o in objects]).update(assigned_to=reviewer)
    who = (reviewer.get_full_name() or reviewer.email) if reviewer else None
    for obj in objects:
        modeladmin.log_change(request, obj, f"Assigné à {who}" if who else "Assignation retirée")
    text = f"{len(objects)} assigné(s) à {who}." if who else f"{len(objects)} sans instructeur assigné."
    modeladmin.message_user(request, text, messages.SUCCESS)


def assignment_actions(*, reviewers_group: str, permission: str, mine_label: str) -> list:
    """The two admin actions of a reviewers' queue: « M'assigner les … sélectionnés » and
    « Assigner à un instructeur… » (the active members of `reviewers_group`, and superusers)."""
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    @admin.action(description=mine_label, permissions=[permission])
    def assign_to_me(modeladmin, request, queryset):
        assign(modeladmin, request, queryset, reviewer=request.user)

    @admin.action(description="Assigner à un instructeur…", permissions=[permission])
    def assign_reviewer(modeladmin, request, queryset):
        reviewers = (
            get_user_model()
            .objects.filter(Q(groups__name=reviewers_group) | Q(is_superuser=True), is_active=True)
            .distinct()
            .order_by("last_name", "email")
        )
        return assign_view(modeladmin, request, queryset, reviewers=reviewers, action="assign_reviewer")

    return [assign_to_me, assign_reviewer]
