"""The admin's side bar (the app list of every admin page), drawn as Django's
`admin/app_list.html` draws it for the side bar (`show_changelinks=False`), without the template
engine: about 30 models × a dozen tags and filters each was ~3.5 ms of every admin page's CPU
(bench/NOTES.md, « Admin CPU »). The HTML is Django's, tag for tag (tests/funding/test_admin_pages.py).
"""

from urllib.parse import quote

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


def _t(message: str) -> str:
    """`{% translate 'message' %}`: a literal's translation, shown as is (not escaped), as there."""
    return gettext(message)


def _model_row(app_label: str, model: dict, path: str) -> str:
    name = conditional_escape(model["object_name"].lower())
    row_id = f"{app_label}-{name}"
    url = model.get("admin_url")
    current = bool(url) and url in path
    if url:
        current_attr = ' aria-current="page"' if current else ""
        head = f'<a href="{conditional_escape(url)}"{current_attr}>{conditional_escape(model["name"])}</a>'
    else:
        head = conditional_escape(model["name"])
    add = model.get("add_url")
    add_cell = (
        f'<td><a href="{conditional_escape(add)}" class="addlink" aria-describedby="{row_id}">'
        f"{_t('Add')}</a></td>"
        if add
        else "<td></td>"
    )
    return (
        f'<tr class="model-{name}{" current-model" if current else ""}">'
        f'<th scope="row" id="{row_id}">{head}</th>{add_cell}</tr>'
    )


@register.simple_tag(takes_context=True)
def fast_nav_app_list(context, app_list):
    """`{% include 'admin/app_list.html' with app_list=available_apps show_changelinks=False %}`."""
    if not app_list:
        return mark_safe(f"<p>{_t('You don’t have permission to view or edit anything.')}</p>")  # noqa: S308
    path = quote(context["request"].path, safe="/")
    heads = (
        '<thead class="visually-hidden"><tr>'
        f'<th scope="col">{_t("Model name")}</th>'
        f'<th scope="col">{_t("Add link")}</th>'
        f'<th scope="col">{_t("Change or view list link")}</th>'
        "</tr></thead>"
    )
    parts = []
    for app in app_list:
        label, url, name = (conditional_escape(app[k]) for k in ("app_label", "app_url", "name"))
        title = gettext("Models in the %(name)s application") % {"name": name}
        parts.append(
            f'<div class="app-{label} module{" current-app" if app["app_url"] in path else ""}"><table>'
            f'<caption><a href="{url}" class="section" title="{title}">{name}</a></caption>{heads}'
        )
        parts.extend(_model_row(label, model, path) for model in app["models"])
        parts.append("</table></div>")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above
