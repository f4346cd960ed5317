"""What the pack commands share: the Weblink connection named by a user and a company."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from reports_admin.connection.models import WeblinkConnection
from reports_admin.connection.selectors import connection_get, connections_list


def add_connection_arguments(parser) -> None:
    parser.add_argument("--user", required=True, help="The dashboard user name.")
    parser.add_argument("--company", required=True, help="Their Weblink company.")


def connection_for(username: str, company: str) -> WeblinkConnection:
    """The user's connection to ``company``; CommandError saying what is missing."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No dashboard user is named {username!r}.")
    connection = connection_get(user=user, company=company)
    if connection is None:
        known = ", ".join(c.company for c in connections_list(user=user)) or "none"
        raise CommandError(
            f"{username} has no Weblink connection to {company!r} (connected: {known}): "
            "connect on the dashboard."
        )
    if connection.needs_reconnecting:
        raise CommandError(f"{username}'s Weblink connection needs reconnecting on the dashboard.")
    return connection
