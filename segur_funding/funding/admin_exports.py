"""Exports of funding requests too large for one request: built by a task, downloaded here."""

from django.contrib import admin
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from .models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["__str__", "file_format", "status", "rows", "requested_by", "download"]
    list_filter = ["status", "file_format"]
    readonly_fields = [
        "requested_by",
        "file_format",
        "status",
        "rows",
        "error",
        "created_at",
        "finished_at",
        "download",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("requested_by")
        return qs if request.user.is_superuser else qs.filter(requested_by=request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Fichier")
    def download(self, obj: ExportJob) -> str:
        if not obj.file:
            return "—"
        url = reverse("admin:funding_exportjob_download", args=[obj.pk])
        return format_html('<a href="{}">Télécharger</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:pk>/telecharger/",
                self.admin_site.admin_view(self.download_view),
                name="funding_exportjob_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request: HttpRequest, pk: int) -> FileResponse:
        job = get_object_or_404(self.get_queryset(request), pk=pk)
        if not request.user.has_perm("funding.view_exportjob") or not job.file:
            raise Http404
        return FileResponse(
            job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1]
        )
