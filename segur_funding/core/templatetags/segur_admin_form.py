"""The read-only parts of a reviewer's admin page (its fieldsets, its history and other read-only
tables), drawn as Django draws them, without the template engine.

A decision page is read-only: every field an `AdminReadonlyField`, every inline a table of
read-only rows (`core.admin.READ_ONLY_TABULAR`). Django draws each field through
`admin/includes/fieldset.html` and each row's cells through the inline's template, looking every
name up in the template engine (a third of the quote page's CPU), builds the helpers of every
field again for every row, and renders each row's hidden id inputs through the form widget
templates (bench/NOTES.md, « Admin CPU »). Here each fieldset and each read-only table is one
string made in Python: the text of each value still comes from Django's own
`AdminReadonlyField.contents()` (links, booleans, dates, choices, empty values), the helpers of a
table's column are built once, and the hidden inputs written directly. The HTML is Django's,
tag for tag (tests/core/test_admin_readonly.py); a fieldset with an editable field, a bound form
and any other inline keep Django's templates (`templates/admin/change_form.html`).
"""

from django import forms, template
from django.contrib.admin.helpers import AdminReadonlyField, InlineAdminForm
from django.contrib.admin.utils import flatten_fieldsets
from django.template.defaultfilters import capfirst
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

register = template.Library()


# --- Fieldsets ----------------------------------------------------------------------------------


def _readonly_field(field: AdminReadonlyField, multi: bool) -> str:
    """One field of a line, as `admin/includes/fieldset.html` draws a read-only one."""
    name, hidden = field.field["name"], field.field["is_hidden"]
    box = ""
    if multi:
        box = (
            " fieldBox"
            + (f" field-{conditional_escape(name)}" if name else "")
            + (" hidden" if hidden else "")
        )
    html = (
        f'<div><div class="flex-container{box}">{field.label_tag()}'
        f'<div class="readonly">{field.contents()}</div></div>'
    )
    help_text = field.field["help_text"]
    if help_text:
        # The template shows the help text with |safe, as Django's admin does.
        html += f'<div class="help{" hidden" if hidden else ""}"><div>{help_text}</div></div>'
    return html + "</div>"


def readonly_fieldset_html(fieldset, index: int, *, heading_level=2, prefix="fieldset", id_prefix=0) -> str:
    """The fieldset `index` of a change form (Django's include with heading_level=2,
    prefix="fieldset", id_prefix=0; an inline's with its own), or "" when a field is editable."""
    lines = list(fieldset)
    if fieldset.form.is_bound or any(
        f not in fieldset.readonly_fields for line in lines for f in line.fields
    ):
        return ""
    heading_id = f"{conditional_escape(prefix)}-{id_prefix}-{index}-heading"
    parts = [f'<fieldset class="module aligned {conditional_escape(fieldset.classes)}"']
    collapsible = bool(fieldset.name) and fieldset.is_collapsible
    if fieldset.name:
        parts.append(f' aria-labelledby="{heading_id}">')
        parts.append(
            ("<details><summary>" if collapsible else "")
            + f'<h{heading_level} id="{heading_id}" class="fieldset-heading">'
            + f"{conditional_escape(fieldset.name)}</h{heading_level}>"
            + ("</summary>" if collapsible else "")
        )
    else:
        parts.append(">")
    if fieldset.description:
        parts.append(f'<div class="description">{fieldset.description}</div>')
    for line in lines:
        fields = list(line)
        multi = len(fields) != 1
        classes = "".join(f" field-{conditional_escape(f.field['name'])}" for f in fields if f.field["name"])
        hidden = "" if line.has_visible_field else " hidden"
        parts.append(f'<div class="form-row{hidden}{classes}">')
        if multi:
            parts.append('<div class="flex-container form-multiline">')
        parts.extend(_readonly_field(f, multi) for f in fields)
        parts.append("</div></div>" if multi else "</div>")
    if collapsible:
        parts.append("</details>")
    parts.append("</fieldset>")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above, or Django's safe HTML


@register.simple_tag
def fast_readonly_fieldset(fieldset, index):
    return readonly_fieldset_html(fieldset, index)


# --- Read-only tables (inlines) --------------------------------------------------------------------


def _management_inputs(formset) -> str:
    """The formset's management form (its hidden TOTAL/INITIAL/MIN/MAX inputs)."""
    return "".join(_hidden_input(formset.management_form[name]) for name in formset.management_form.fields)


def _hidden_input(bound_field) -> str:
    """A hidden input as the form widget templates draw it; any other widget through them."""
    field, widget = bound_field.field, bound_field.field.widget
    if (
        type(widget) is not forms.HiddenInput
        or widget.attrs
        or field.disabled
        or field.show_hidden_initial
        or field.localize
        or field.help_text
        or not bound_field.auto_id
    ):
        return str(bound_field)
    value = widget.format_value(bound_field.value())
    value_attr = "" if value is None else f' value="{escape(value)}"'
    name, id_ = escape(bound_field.html_name), escape(bound_field.auto_id)
    return f'<input type="hidden" name="{name}"{value_attr} id="{id_}">'


class _Column:
    """A column of a read-only table: Django's read-only field, built once for every row."""

    def __init__(self, form, name, inline) -> None:
        self.field = AdminReadonlyField(form, name, is_first=False, model_admin=inline)
        class_name = self.field.field["name"]
        self.td = f'<td class="field-{conditional_escape(class_name)}">' if class_name else '<td class="">'

    def cell(self, form, first_cell: str) -> str:
        self.field.form = form  # what contents() reads: the row's form and its instance
        return f"{self.td}{first_cell}<p>{self.field.contents()}</p></td>"


def readonly_tabular_html(inline_admin_formset, last: bool) -> str:
    """A `READ_ONLY_TABULAR` inline (templates/admin/segur/tabular_readonly.html), or "" for any
    inline that template would not draw the same way (editable, bound, with extra rows)."""
    from segur_funding.core.admin import READ_ONLY_TABULAR

    admin_formset, formset, inline = (
        inline_admin_formset,
        inline_admin_formset.formset,
        inline_admin_formset.opts,
    )
    if (
        inline.template != READ_ONLY_TABULAR
        or formset.is_bound
        or admin_formset.has_change_permission
        or admin_formset.has_add_permission
        or formset.extra_forms
    ):
        return ""
    prefix = escape(formset.prefix)
    management = _management_inputs(formset)
    parts = [
        f'<div class="js-inline-admin-formset inline-group" id="{prefix}-group" data-inline-type="tabular" '
        f'data-inline-formset="{escape(admin_formset.inline_formset_data())}">'
        f'<div class="tabular inline-related {"last-related" if last else ""}">{management}'
        f'<fieldset class="module {conditional_escape(admin_formset.classes)}" '
        f'aria-labelledby="{prefix}-heading">'
        f'<h2 id="{prefix}-heading" class="inline-heading">'
        f"{conditional_escape(capfirst(inline.verbose_name_plural))}</h2>"
    ]
    rows = formset.initial_forms
    if not formset.forms:
        parts.append("<p>Aucune.</p>")
    else:
        parts.append(
            f'<div class="segur-table-scroll" tabindex="0" role="group" aria-labelledby="{prefix}-heading">'
            "<table><thead><tr>"
        )
        parts.extend(
            f'<th scope="col" class="column-{conditional_escape(f["name"])}">'
            f"{conditional_escape(capfirst(f['label']))}</th>"
            for f in admin_formset.fields()
            if not f["widget"]["is_hidden"]
        )
        parts.append("</tr></thead><tbody>")
        fk = getattr(formset, "fk", None)
        names = [n for n in flatten_fieldsets(admin_formset.fieldsets) if not fk or fk.name != n]
        columns = [_Column(rows[0], name, inline) for name in names]
        explicit_pk = InlineAdminForm(
            formset, rows[0], admin_formset.fieldsets, admin_formset.prepopulated_fields, None
        ).needs_explicit_pk_field()
        for i, form in enumerate(rows):
            first = (_hidden_input(form[formset._pk_field.name]) if explicit_pk else "") + (
                _hidden_input(form[fk.name]) if fk else ""
            )
            cells = "".join(c.cell(form, first if j == 0 else "") for j, c in enumerate(columns))
            parts.append(f'<tr class="form-row" id="{prefix}-{i}">{cells}</tr>')
        parts.append("</tbody></table></div>")
    parts.append("</fieldset></div></div>")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above, or Django's safe HTML


def readonly_stacked_html(inline_admin_formset) -> str:
    """A read-only stacked inline (Django's `admin/edit_inline/stacked.html`: a payment), or "" for
    an editable, bound or otherwise drawn one."""
    admin_formset, formset = inline_admin_formset, inline_admin_formset.formset
    inline = inline_admin_formset.opts
    if (
        inline.template != "admin/edit_inline/stacked.html"
        or formset.is_bound
        or admin_formset.has_change_permission
        or admin_formset.has_add_permission
        or formset.extra_forms
        or admin_formset.is_collapsible
        or inline.show_change_link
    ):
        return ""
    prefix = escape(formset.prefix)
    title = inline.verbose_name if formset.max_num == 1 else inline.verbose_name_plural
    management = _management_inputs(formset)
    parts = [
        f'<div class="js-inline-admin-formset inline-group" id="{prefix}-group" data-inline-type="stacked" '
        f'data-inline-formset="{escape(admin_formset.inline_formset_data())}">'
        f'<fieldset class="module {conditional_escape(admin_formset.classes)}" '
        f'aria-labelledby="{prefix}-heading"><h2 id="{prefix}-heading" class="inline-heading">'
        f"\n{conditional_escape(capfirst(title))}\n</h2>{management}"  # the template's spaces
    ]
    fk = getattr(formset, "fk", None)
    for i, admin_form in enumerate(admin_formset):
        original = admin_form.original
        if original is None or admin_form.show_url:
            return ""
        fieldsets = [
            readonly_fieldset_html(fieldset, j, heading_level=4, prefix=formset.prefix, id_prefix=i)
            for j, fieldset in enumerate(admin_form)
        ]
        if not all(fieldsets):
            return ""
        explicit_pk = admin_form.needs_explicit_pk_field()
        hidden = (_hidden_input(admin_form.pk_field().field) if explicit_pk else "") + (
            _hidden_input(admin_form.fk_field().field) if fk else ""
        )
        parts.append(
            f'<div class="inline-related has_original" id="{prefix}-{i}">'
            f"<h3><b>{conditional_escape(capfirst(inline.verbose_name))}:</b> "
            f'<span class="inline_label">{conditional_escape(original)}\n</span></h3>'
            f"{''.join(fieldsets)}{hidden}</div>"
        )
    parts.append("</fieldset></div>")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above, or Django's safe HTML


@register.simple_tag
def fast_readonly_inline(inline_admin_formset, last):
    return readonly_tabular_html(inline_admin_formset, last) or readonly_stacked_html(inline_admin_formset)
