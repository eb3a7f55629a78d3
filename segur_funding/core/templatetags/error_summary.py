"""What a refused form's error summary lists: one line per error, each linked to its field.

One rule for the public pages' DSFR summary (`_error_summary.html`) and the reviewers' admin one
(`admin/segur/_error_summary.html`): where a field's link points (a group of radio buttons or
check boxes has no single input to focus: its fieldset, `<html_name>-fieldset`), what a line of a
table of lines says (its field and its line number).
"""

from django import template

register = template.Library()

GROUPED_WIDGETS = frozenset({"radioselect", "checkboxselectmultiple"})


def field_anchor(field) -> str:
    """The id the summary's link to a bound field points to."""
    if field.widget_type in GROUPED_WIDGETS:
        return f"{field.html_name}-fieldset"
    return field.id_for_label


@register.simple_tag
def error_lines(form=None, formset=None) -> list[dict]:
    """[{"anchor": id or "", "text": ...}] for a form and, optionally, its formset of lines."""
    lines: list[dict] = []
    # An argument a template does not have comes as "" (string_if_invalid).
    if hasattr(form, "non_field_errors"):
        lines += [{"anchor": "", "text": error} for error in form.non_field_errors()]
        lines += [
            {"anchor": field_anchor(field), "text": f"{field.label} : {' '.join(field.errors)}"}
            for field in form
            if field.errors
        ]
    if hasattr(formset, "non_form_errors"):
        lines += [{"anchor": "", "text": error} for error in formset.non_form_errors()]
        for number, line in enumerate(formset, 1):
            lines += [
                {
                    "anchor": field_anchor(field),
                    "text": f"{field.label}, ligne {number} : {' '.join(field.errors)}",
                }
                for field in line
                if field.errors
            ]
    return lines
