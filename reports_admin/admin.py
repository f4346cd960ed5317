from django.contrib import admin
from django.http import HttpRequest

from reports_admin.models import Activity, WeblinkConnection

_SHOWN = ("user", "company", "username", "state", "fingerprint", "verified_at", "expires_at")


@admin.register(WeblinkConnection)
class WeblinkConnectionAdmin(admin.ModelAdmin):
    """Read-only, and never a token: people connect and reconnect on the dashboard."""

    list_display = _SHOWN
    list_filter = ("state",)
    search_fields = ("user__username", "company", "username")
    fields = _SHOWN
    readonly_fields = _SHOWN

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: WeblinkConnection | None = None
    ) -> bool:
        return False

    # Deleting stays allowed: without it the admin could not delete a user who has a connection.


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """The activity log, to read only: entries are written by the dashboard's services."""

    list_display = ("at", "username", "company", "action", "report_name", "report_id", "outcome")
    list_filter = ("action", "company", "at")
    search_fields = ("username", "company", "report_name", "report_id")
    date_hierarchy = "at"
    fields = (
        "at",
        "user",
        "username",
        "company",
        "action",
        "report_id",
        "report_name",
        "outcome",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Activity | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Activity | None = None) -> bool:
        return False
