"""What the reviewers' changelists over national-scale tables share."""

from django.contrib.admin.views.main import ChangeList


def changelist_deferring(*fields: str) -> type[ChangeList]:
    """A changelist that leaves heavy columns (quote documents and reports, stored as JSON) out of
    its query: the list shows none of them, and decoding them is a good share of a page's CPU."""

    class DeferringChangeList(ChangeList):
        def get_queryset(self, request, exclude_parameters=None):
            return super().get_queryset(request, exclude_parameters).defer(*fields)

    return DeferringChangeList
