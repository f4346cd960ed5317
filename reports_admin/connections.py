"""Services for a person's Weblink connection: connect, verify, refresh, disconnect.

Every call made with a person's token goes through ``weblink_call``, which refreshes an
expired token once and otherwise marks the connection expired, so pages can say so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports_admin.activity import activity_recorded
from reports_admin.models import Activity, WeblinkConnection
from reports_admin.weblink import TokenRejected, WeblinkClient, WeblinkError
from reports_admin.weblink.metadata import TokenGrant


class NotConnected(WeblinkError):
    """The person has no usable Weblink connection: they must connect first."""

    def __init__(self) -> None:
        super().__init__(_("Connect to Weblink first: there is no usable connection."))


def connection_get(*, user: AbstractBaseUser) -> WeblinkConnection | None:
    return WeblinkConnection.objects.filter(user=user).first()


def connection_sign_in(
    *, user: AbstractBaseUser, company: str, username: str, password: str, tfa: str = ""
) -> WeblinkConnection:
    """Signs in to Weblink with the person's credentials and stores the tokens.

    The password is used for this one call and never stored.
    """
    with activity_recorded(user=user, action=Activity.Action.CONNECTED):
        grant = WeblinkClient().sign_in(
            company=company, username=username, password=password, tfa=tfa
        )
        return _connection_store(user=user, company=company, username=username, grant=grant)


def connection_save_token(*, user: AbstractBaseUser, company: str, token: str) -> WeblinkConnection:
    """Stores a pasted access token after a cheap read has proved that Weblink accepts it."""
    with activity_recorded(user=user, action=Activity.Action.CONNECTED):
        WeblinkClient(token).report_types()
        return _connection_store(
            user=user, company=company, username="", grant=TokenGrant(access_token=token)
        )


def connection_test(*, user: AbstractBaseUser) -> WeblinkConnection:
    """Checks the stored token with a cheap read; raises a WeblinkError when it fails."""
    weblink_call(user=user, operation=lambda client: client.report_types())
    connection = connection_get(user=user)
    connection.verified_at = timezone.now()
    connection.save(update_fields=["verified_at", "updated_at"])
    return connection


def connection_disconnect(*, user: AbstractBaseUser) -> None:
    """Removes the person's connection and with it both tokens."""
    with activity_recorded(user=user, action=Activity.Action.DISCONNECTED):
        WeblinkConnection.objects.filter(user=user).delete()


def weblink_call[T](*, user: AbstractBaseUser, operation: Callable[[WeblinkClient], T]) -> T:
    """Runs ``operation`` with a client holding the person's token.

    A 401 means Weblink did nothing, so after one successful refresh the operation is run
    again; when there is nothing to refresh with, or that fails, the connection is marked
    expired and the TokenRejected error goes on to the caller.
    """
    connection = connection_get(user=user)
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
    _connection_apply_grant(connection, grant)
    connection.save()
    return True


def _connection_store(
    *, user: AbstractBaseUser, company: str, username: str, grant: TokenGrant
) -> WeblinkConnection:
    connection = connection_get(user=user) or WeblinkConnection(user=user)
    connection.company = company
    connection.username = username
    _connection_apply_grant(connection, grant)
    connection.save()
    return connection


def _connection_apply_grant(connection: WeblinkConnection, grant: TokenGrant) -> None:
    now = timezone.now()
    connection.set_tokens(access_token=grant.access_token, refresh_token=grant.refresh_token)
    connection.expires_at = now + timedelta(seconds=grant.expires_in) if grant.expires_in else None
    connection.verified_at = now
    connection.state = WeblinkConnection.State.CONNECTED
