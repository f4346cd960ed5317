"""Reads of a person's Weblink connections, one per company."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from reports_admin.connection.models import WeblinkConnection

# The session key of the company last shown: only which one to show first, never which one a
# page or a form acts on (that is always the company in its URL).
CURRENT_COMPANY = "reports_admin_company"


def connections_list(*, user: AbstractBaseUser) -> list[WeblinkConnection]:
    """The person's connections by company; their ``user`` is ``user`` itself (no query)."""
    connections = list(WeblinkConnection.objects.filter(user=user))
    for connection in connections:
        connection.user = user
    return connections


def connection_get(*, user: AbstractBaseUser, company: str) -> WeblinkConnection | None:
    """The person's connection to ``company``, or None."""
    connection = WeblinkConnection.objects.filter(user=user, company=company).first()
    if connection is not None:
        connection.user = user
    return connection


def connection_first(
    connections: list[WeblinkConnection], *, remembered: str | None
) -> WeblinkConnection | None:
    """The connection to show first: the company last shown, else the first by name."""
    return next(
        (c for c in connections if c.company == remembered), connections[0] if connections else None
    )


class CurrentConnection:
    """The person's connections, read once, on first use, and the one of the company the
    page is for (the company in its URL; none on pages that belong to no company).

    Set on every request as ``request.weblink_connection`` by ``WeblinkConnectionMiddleware``.
    """

    def __init__(self, user: AbstractBaseUser | AnonymousUser, company: str | None = None) -> None:
        self._user = user
        self.company = company
        self._connections: list[WeblinkConnection] | None = None

    def all(self) -> list[WeblinkConnection]:
        """Every connection of the person, by company (none when not signed in)."""
        if self._connections is None:
            self._connections = (
                connections_list(user=self._user) if self._user.is_authenticated else []
            )
        return self._connections

    def get(self) -> WeblinkConnection | None:
        """The connection of the page's company, or None (no company, or none by its name)."""
        if self.company is None:
            return None
        return next((c for c in self.all() if c.company == self.company), None)
