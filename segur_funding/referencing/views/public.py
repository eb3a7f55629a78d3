"""The public list of referenced solutions, by DSR, filtered by DSR and editor (no account)."""

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from segur_funding.organizations.selectors import user_editors

from .. import selectors


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    dsrs = list(selectors.dsrs_for_filter())
    editors = list(selectors.referenced_editors())
    dsr_code = request.GET.get("dsr") or None
    if dsr_code not in {d.code for d in dsrs}:
        dsr_code = None
    try:
        editor_id = int(request.GET.get("editeur") or 0) or None
    except ValueError:
        editor_id = None
    dossiers = selectors.referenced_dossiers(dsr_code=dsr_code, editor_id=editor_id)
    groups = [(dsr, list(rows)) for dsr, rows in groupby(dossiers, key=lambda d: d.dsr)]
    return render(
        request,
        "referencing/public_list.html",
        {
            "dsrs": dsrs,
            "editors": editors,
            "selected_dsr": dsr_code,
            "selected_editor": editor_id,
            "groups": groups,
            "total": sum(len(rows) for _, rows in groups),
            "hide_editor_nav": not user_editors(user=request.user).exists(),
        },
    )
