"""Calls to Weblink with a person's token: every call a page or job makes goes through here.

``weblink_call`` refreshes an expired token once and otherwise marks the connection expired,
so pages can say so.
"""

from __future__ import annotations

from collections.abc import Callable

from reports_admin.connection.models import WeblinkConnection
from reports_admin.weblink import NotConnected, TokenRejected, WeblinkClient, WeblinkError


def connection_required(connection: WeblinkConnection | None) -> WeblinkConnection:
    """``connection``, or NotConnected when the person has none."""
    if connection is None:
        raise NotConnected
    return connection


def weblink_call[T](
    *, connection: WeblinkConnection | None, operation: Callable[[WeblinkClient], T]
) -> T:
    """Runs ``operation`` with a client holding the connection's token.

    A 401 means Weblink did nothing, so after one successful refresh the operation is run
    again; when there is nothing to refresh with, or that fails, the connection is marked
    expired and the TokenRejected error goes on to the caller. NotConnected when there is no
    usable connection.
    """
    if connection is None or connection.needs_reconnecting:
        raise NotConnected
    try:
        return operation(WeblinkClient(connection.access_token))
    except TokenRejected:
        if not _connection_refresh(connection):
            _connection_expire(connection)
            raise
    try:
        return operation(WeblinkClient(connection.access_token))
    except TokenRejected:
        _connection_expire(connection)
        raise


def _connection_expire(connection: WeblinkConnection) -> None:
    connection.state = WeblinkConnection.State.EXPIRED
    connection.save(update_fields=["state", "updated_at"])


def _connection_refresh(connection: WeblinkConnection) -> bool:
    if not connection.refresh_token or not connection.company:
        return False
    try:
        grant = WeblinkClient().refresh(
            company=connection.company, refresh_token=connection.refresh_token
        )
    except WeblinkError:
        return False
    connection.accept_grant(grant)
    connection.save()
    return True
