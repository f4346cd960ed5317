"""What every page's layout needs: the navigation and the person's connection state."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (url name, label); the first item whose url name matches the page is marked current.
NAV_ITEMS = [
    ("reports:list", _("Reports")),
    ("reports:create", _("New report")),
    ("reports:run_download", _("Run and download")),
    ("recipients", _("Recipients")),
    ("reports:types", _("Report types")),
    ("activity", _("Activity")),
    ("connection", _("Connection")),
]


def layout(request: HttpRequest) -> dict:
    if not request.user.is_authenticated:
        return {}
    match = request.resolver_match
    current = match.view_name if match else ""
    connection = request.weblink_connection.get()
    banner = None
    # Not on the connection pages themselves (also when a sign-in there is shown again).
    if not current.startswith("connection"):
        if connection is None:
            banner = _("Connect to Weblink to manage your reports.")
        elif connection.needs_reconnecting:
            banner = _(
                "Your Weblink connection has expired or can no longer be read. "
                "Connect again to carry on; what you typed on this page is kept."
            )
    return {
        "nav_items": [
            {"url": reverse(name), "label": label, "active": name == current}
            for name, label in NAV_ITEMS
        ],
        "weblink_connection": connection,
        "weblink_connection_banner": banner,
    }
