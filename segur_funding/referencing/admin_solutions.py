"""Solutions and their versions in the admin: read-only, declared by the editors."""

from django.contrib import admin

from .models import Solution, SolutionVersion


class SolutionVersionInline(admin.TabularInline):
    model = SolutionVersion
    extra = 0
    fields = ["label", "obsolete_versions", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Solution)
class SolutionAdmin(admin.ModelAdmin):
    list_display = ["name", "editor", "created_at"]
    search_fields = ["name", "editor__name", "editor__siren"]
    list_filter = [("editor", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["editor"]
    inlines = [SolutionVersionInline]
    readonly_fields = ["editor", "name", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
