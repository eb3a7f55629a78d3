"""The rows of a reviewers' admin list, drawn as Django draws them, in a fifth of the CPU.

Django's `{% result_list %}` works cell by cell: for each of 50 rows × 12 columns it looks the
column up again (field, admin method, empty-value text, link or not), and for each link it
re-parses the list's filters and resolves the change URL against the whole URLconf to decide
which filters to keep — half of a 50-row page's CPU (bench/NOTES.md, « Admin CPU »). Here what
depends on the column only is worked out once per page, the link once per page (the row's key
put into it), and each row is one string; the HTML is the same, byte for byte
(tests/core/test_admin_rows.py). Lists Django draws specially (editable columns, pop-ups,
`to_field`) and lists not on `FastChangeList` keep Django's tag.
"""

import datetime

from django import template
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _coerce_field_name,
    result_headers,
    result_hidden_fields,
    result_list,
)
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
    quote,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

register = template.Library()

_FIELD, _ADMIN_METHOD, _OTHER = "field", "method", "other"


class _Column:
    """What Django's `items_for_result` decides for a column, decided once."""

    def __init__(self, cl, model_opts, index: int, name, link: bool, tag: str) -> None:
        admin = cl.model_admin
        self.name, self.link, self.tag = name, link, tag
        self.admin = admin
        self.class_name = f"field-{_coerce_field_name(name, index)}"
        self.default_empty = admin.get_empty_value_display()
        self.field = self.attr = None
        try:
            self.field = _get_non_gfk_field(model_opts, name)
            self.kind = _FIELD
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            if callable(name):
                self.kind, self.attr = _ADMIN_METHOD, name
            elif hasattr(admin, name) and name != "__str__":
                self.kind, self.attr = _ADMIN_METHOD, getattr(admin, name)
            else:
                self.kind = _OTHER  # a model attribute or property: Django's lookup, row by row
        self.empty = getattr(self.attr, "empty_value_display", self.default_empty)
        self.boolean = getattr(self.attr, "boolean", False)
        self.choices = None
        if self.kind == _FIELD:
            if getattr(self.field, "flatchoices", None):  # display_for_field's first case, once
                try:
                    self.choices = dict(self.field.flatchoices)
                except TypeError:
                    pass
            self.reverse_fk = isinstance(self.field.remote_field, models.ManyToOneRel)
            classes = [self.class_name]
            if isinstance(self.field, (models.DateField, models.TimeField, models.ForeignKey)):
                classes.append("nowrap")
            self.field_class = f' class="{" ".join(classes)}"'
        plain = "action-checkbox" if name == "action_checkbox" else self.class_name
        self.plain_class = f' class="{plain}"'

    def cell(self, result, link_parts) -> str:
        """The cell's HTML (Django's `items_for_result`, for one column)."""
        row_class = f' class="{self.class_name}"'
        try:
            if self.kind == _FIELD:
                field, attr, value = self.field, None, getattr(result, self.name)
            elif self.kind == _ADMIN_METHOD:
                field, attr, value = None, self.attr, self.attr(result)
            else:
                field, attr, value = lookup_field(self.name, result, self.admin)
        except ObjectDoesNotExist:
            result_repr = self.default_empty
        else:
            if self.kind == _OTHER:
                empty = getattr(attr, "empty_value_display", self.default_empty)
            else:
                empty = self.empty
            if field is None or field.auto_created:
                if self.kind == _OTHER:
                    boolean = getattr(attr, "boolean", False)
                    if isinstance(attr, property) and hasattr(attr, "fget"):
                        boolean = getattr(attr.fget, "boolean", False)
                else:
                    boolean = self.boolean
                if type(value) is str and not boolean:  # the common case of display_for_value
                    result_repr = value if value.strip() else empty
                else:
                    if isinstance(value, str) and value.strip() == "":
                        value = ""
                    result_repr = display_for_value(value, empty, boolean)
                row_class = self.plain_class
                if isinstance(value, (datetime.date, datetime.time)):
                    row_class = row_class[:-1] + ' nowrap"'
            else:
                if isinstance(value, str) and value.strip() == "":
                    value = ""
                if self.reverse_fk:
                    field_val = getattr(result, field.name)
                    result_repr = empty if field_val is None else field_val
                elif self.choices is not None:
                    try:
                        result_repr = self.choices.get(value, empty)
                    except TypeError:  # an unhashable value: Django's own way
                        result_repr = display_for_field(value, field, empty, avoid_link=self.link)
                else:
                    result_repr = display_for_field(value, field, empty, avoid_link=self.link)
                row_class = self.field_class
        if not self.link:
            return f"<td{row_class}>{conditional_escape(result_repr)}</td>"
        if link_parts is None:
            link_or_text = conditional_escape(result_repr)
        else:
            head, tail, pk_attname = link_parts
            pk = escape(quote(getattr(result, pk_attname)))
            link_or_text = f'<a href="{head}{pk}{tail}">{conditional_escape(result_repr)}</a>'
        return f"<{self.tag}{row_class}>{link_or_text}</{self.tag}>"


def _columns(cl) -> list[_Column]:
    def link_in_col(is_first, field_name) -> bool:
        if cl.list_display_links is None:
            return False
        if is_first and not cl.list_display_links:
            return True
        return field_name in cl.list_display_links

    model_opts = cl.model._meta
    columns, first = [], True
    for index, name in enumerate(cl.list_display):
        link = link_in_col(first, name)
        tag = "th" if (link and first) else "td"
        if link:
            first = False
        columns.append(_Column(cl, model_opts, index, name, link, tag))
    return columns


def _link_parts(cl):
    """The change page's link with the list's filters kept, as (HTML-escaped head, tail, pk
    attribute): a row's link is head + its quoted key + tail. None: the model has no change page."""
    from django.contrib.admin.templatetags.admin_urls import add_preserved_filters

    try:
        url = cl.change_url_pattern()
    except NoReverseMatch:
        return None
    url = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)
    path, sep, query = url.partition("?")
    head, _, tail = path.rpartition(f"/{cl.PK_MARKER}/")
    return escape(head + "/"), escape("/" + tail + sep + query), cl.lookup_opts.pk.attname


def fast_result_list(cl):
    """Django's `result_list` context, the rows made as described above."""
    from segur_funding.core.admin import FastChangeList

    if cl.formset or cl.is_popup or cl.to_field or not isinstance(cl, FastChangeList):
        return result_list(cl)
    headers = list(result_headers(cl))
    columns, link_parts = _columns(cl), _link_parts(cl)
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        # Every value in a cell went through escape() or conditional_escape(), as in format_html.
        "results": [
            ResultList(None, [mark_safe("".join([c.cell(row, link_parts) for c in columns]))])  # noqa: S308
            for row in cl.result_list
        ],
    }


@register.tag(name="fast_result_list")
def fast_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=fast_result_list, template_name="change_list_results.html", takes_context=False
    )
