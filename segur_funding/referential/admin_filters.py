"""List filters of the admin that read the reference data, shared by the quotes and funding lists."""

from django.contrib import admin

from .models import FundingWindow


class WindowFilter(admin.RelatedFieldListFilter):
    """Windows of several DSRs share labels: show the DSR too."""

    def field_choices(self, field, request, model_admin):
        windows = FundingWindow.objects.select_related("scheme__dsr").order_by("scheme__dsr__code", "number")
        return [(w.pk, f"{w.scheme.dsr.code} — {w}") for w in windows]
