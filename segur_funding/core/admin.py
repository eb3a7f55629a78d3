"""What the reviewers' admin pages share: changelists over national-scale tables, refusals with a reason."""

from django.contrib.admin.views.main import ChangeList


def changelist_deferring(*fields: str) -> type[ChangeList]:
    """A changelist that leaves heavy columns (quote documents and reports, stored as JSON) out of
    its query: the list shows none of them, and decoding them is a good share of a page's CPU."""

    class DeferringChangeList(ChangeList):
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
