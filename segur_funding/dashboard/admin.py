"""The statistics in the admin: the public page's table and weekly figures, for every reviewer."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path

from .models import ProgrammeStatistics
from .views import statistics_context


@admin.register(ProgrammeStatistics)
class ProgrammeStatisticsAdmin(admin.ModelAdmin):
    # Every staff member (ANS and ASP reviewers) may read the programme's figures: they are
    # public anyway. Nothing here can be added, changed or deleted.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        # One page: there is no row behind the model (no table), so no change, history or delete
        # page either.
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view(self.changelist_view)
        return [path("", view, name="{}_{}_changelist".format(*info))]

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            **statistics_context(request),
            "opts": self.model._meta,
            "title": "Statistiques du programme",
        }
        return TemplateResponse(request, "admin/dashboard/statistics.html", context)
