from django.contrib import admin
from django.http import HttpRequest

from reports_admin.models import WeblinkConnection

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
