"""What every page's layout needs: the navigation, the company switcher and the state of the
person's connections."""

from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reports_admin.connection.selectors import CURRENT_COMPANY, connection_first

# (url name, label, of one company); the first item whose url name matches the page is marked
# current. A company's items link to the page's company, elsewhere to the one shown first.
NAV_ITEMS = [
    ("reports:list", _("Reports"), True),
    ("reports:create", _("New report"), True),
    ("reports:run_download", _("Run and download"), True),
    ("recipients", _("Recipients"), True),
    ("reports:types", _("Report types"), True),
    ("activity", _("Activity"), False),
    ("connection", _("Connection"), False),
]


def layout(request: HttpRequest) -> dict:
    if not request.user.is_authenticated:
        return {}
    match = request.resolver_match
    current = match.view_name if match else ""
    connections = request.weblink_connection.all()
    # The page's company, from its URL; None on pages of no company (activity, connection).
    connection = request.weblink_connection.get()
    company = connection.company if connection else None
    # The company the navigation leads to: the page's, else the one to show first.
    nav_connection = connection or connection_first(
        connections, remembered=request.session.get(CURRENT_COMPANY)
    )
    nav_company = nav_connection.company if nav_connection else None
    banner = None
    # Not on the connection pages themselves (also when a sign-in there is shown again).
    if not current.startswith("connection"):
        if not connections:
            banner = _("Connect to Weblink to manage your reports.")
        elif connection is not None and connection.needs_reconnecting:
            banner = _(
                "Your Weblink connection has expired or can no longer be read. "
                "Connect again to carry on; what you typed on this page is kept."
            )
    nav_items = []
    for name, label, of_company in NAV_ITEMS:
        if of_company and nav_company is None:
            continue
        url = reverse(name, args=[nav_company] if of_company else [])
        if name == "activity" and nav_company:
            url += "?" + urlencode({"company": nav_company})
        nav_items.append({"url": url, "label": label, "active": name == current})
    return {
        "nav_items": nav_items,
        "company": company,
        "weblink_connection": connection,
        "nav_connection": nav_connection,
        "weblink_connections": [
            {
                "connection": other,
                "url": reverse("reports:list", args=[other.company]),
                "current": other.company == company,
            }
            for other in connections
        ],
        "weblink_connection_banner": banner,
    }
