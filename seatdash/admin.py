"""Admin: the export audit log, readable by staff and changeable by nobody."""

from __future__ import annotations

from django.contrib import admin

from seatdash.models import ExportAudit


@admin.register(ExportAudit)
class ExportAuditAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "view", "row_count", "outcome", "client_ip")
    list_filter = ("user", "at", "outcome", "view")
    date_hierarchy = "at"
    search_fields = ("username", "view")
    readonly_fields = [f.name for f in ExportAudit._meta.fields]

    # An audit trail that can be edited from the admin is not evidence of anything.
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff
