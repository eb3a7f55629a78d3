"""The second factor's devices in the admin, in French (issue 15).

django-otp's own admin pages speak English in strings it does not mark for translation (« TOTP
device », « Identity », « Throttling »…) and show the TOTP secret and its QR code to whoever may
change a device. These pages replace them: an administrator sees who enrolled which device, when
it was last used and whether it is blocked after failed codes, and deletes it when a person lost
their phone (the next login enrols again, `two_factor.py`). Nobody adds or edits a device here:
it is its owner's.

Columns and details are callables with French labels, not the model's fields, whose English
verbose names belong to django-otp and its migrations. The model and app names: `apps.py`.
"""

from django.contrib import admin
from django.db.models import Count
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from segur_funding.core.admin import fr_date


class ConfirmedFilter(admin.SimpleListFilter):
    title = "état"
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("1", "Activé"), ("0", "Activation non terminée")]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(confirmed=self.value() == "1")
        return queryset


class DeviceAdmin(admin.ModelAdmin):
    """What both kinds of device show: the owner, the state, the dates, the failed attempts."""

    list_display = ["owner", "device_name", "state", "created", "last_used"]
    list_display_links = ["owner"]
    list_filter = [ConfirmedFilter]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__last_name"]
    search_help_text = "Adresse e-mail ou nom de la personne."
    ordering = ["user__email"]
    fields = ["owner", "device_name", "state", "created", "last_used", "failures"]
    readonly_fields = fields

    @admin.display(description="Personne", ordering="user__email")
    def owner(self, device) -> str:
        return device.user.email

    @admin.display(description="Nom de l'appareil", ordering="name")
    def device_name(self, device) -> str:
        return device.name

    @admin.display(description="État", ordering="confirmed")
    def state(self, device) -> str:
        return "Activé" if device.confirmed else "Activation non terminée"

    @admin.display(description="Créé le", ordering="created_at")
    def created(self, device) -> str:
        return fr_date(device.created_at)

    @admin.display(description="Dernière utilisation", ordering="last_used_at")
    def last_used(self, device) -> str:
        return fr_date(device.last_used_at)

    @admin.display(description="Codes faux d'affilée")
    def failures(self, device) -> str:
        if not device.throttling_failure_count:
            return "Aucun"
        last = fr_date(device.throttling_failure_timestamp)
        return f"{device.throttling_failure_count}, le dernier le {last}"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class TotpDeviceAdmin(DeviceAdmin):
    pass


class BackupCodesAdmin(DeviceAdmin):
    list_display = [*DeviceAdmin.list_display, "codes_left"]
    fields = [*DeviceAdmin.fields, "codes_left"]
    readonly_fields = fields

    def get_deleted_objects(self, objs, request):
        # Django would list every code left, in clear, on the confirmation page: their number only.
        _to_delete, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        summary = [f"{device} : {device.token_set.count()} code(s) de secours" for device in objs]
        return summary, counts, perms_needed, protected

    def get_queryset(self, request):
        # Counted in the list's own query, not once per row.
        return super().get_queryset(request).annotate(codes_count=Count("token_set"))

    @admin.display(description="Codes de secours restants", ordering="codes_count")
    def codes_left(self, device) -> int:
        # Never the codes themselves: a backup code is shown once, to its owner.
        return device.codes_count


for model, model_admin in ((TOTPDevice, TotpDeviceAdmin), (StaticDevice, BackupCodesAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
