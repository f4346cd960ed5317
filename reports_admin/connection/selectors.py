"""Reads of a person's Weblink connection."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from reports_admin.connection.models import WeblinkConnection


def connection_get(*, user: AbstractBaseUser) -> WeblinkConnection | None:
    """The person's connection, or None; its ``user`` is ``user`` itself (no second query)."""
    connection = WeblinkConnection.objects.filter(user=user).first()
    if connection is not None:
        connection.user = user
    return connection


class CurrentConnection:
    """The connection of the person making a request, looked up once, on first use.

    Set on every request as ``request.weblink_connection`` by ``WeblinkConnectionMiddleware``.
    """

    _UNREAD = object()

    def __init__(self, user: AbstractBaseUser | AnonymousUser) -> None:
        self._user = user
        self._connection: WeblinkConnection | None | object = self._UNREAD

    def get(self) -> WeblinkConnection | None:
        """The connection, or None for a person who has none (or is not signed in)."""
        if self._connection is self._UNREAD:
            self._connection = (
                connection_get(user=self._user) if self._user.is_authenticated else None
            )
        return self._connection
