"""Services for a person's Weblink connection: connect, verify, disconnect."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from reports_admin.activity.models import Activity
from reports_admin.activity.services import activity_recorded
from reports_admin.connection.calls import weblink_call
from reports_admin.connection.models import WeblinkConnection
from reports_admin.connection.selectors import connection_get
from reports_admin.connection.throttle import connect_attempt_count
from reports_admin.weblink import WeblinkClient
from reports_admin.weblink.metadata import TokenGrant


@sensitive_variables("password", "token", "grant")
def connection_sign_in(
    *, user: AbstractBaseUser, company: str, username: str, password: str, tfa: str = ""
) -> WeblinkConnection:
    """Signs in to Weblink with the person's credentials and stores the tokens.

    The password is used for this one call and never stored.
    """
    with activity_recorded(user=user, action=Activity.Action.CONNECTED, company=company):
        connect_attempt_count(user=user, company=company, username=username)
        grant = WeblinkClient().sign_in(
            company=company, username=username, password=password, tfa=tfa
        )
        return _connection_store(
            user=user, company=company, company_verified=True, username=username, grant=grant
        )


@sensitive_variables("password", "token", "grant")
def connection_save_token(*, user: AbstractBaseUser, company: str, token: str) -> WeblinkConnection:
    """Stores a pasted access token after a cheap read has proved that Weblink accepts it."""
    with activity_recorded(user=user, action=Activity.Action.CONNECTED, company=company):
        # Per person only: the company typed with a token is not verified.
        connect_attempt_count(user=user)
        WeblinkClient(token).report_types()
        # No documented call says which company a token belongs to.
        return _connection_store(
            user=user,
            company=company,
            company_verified=False,
            username="",
            grant=TokenGrant(access_token=token),
        )


def connection_test(*, connection: WeblinkConnection | None) -> WeblinkConnection:
    """Checks the stored token with a cheap read; raises a WeblinkError when it fails."""
    weblink_call(connection=connection, operation=lambda client: client.report_types())
    connection.verified_at = timezone.now()
    connection.save(update_fields=["verified_at", "updated_at"])
    return connection


def connection_disconnect(*, user: AbstractBaseUser, company: str) -> None:
    """Removes the person's connection to ``company`` and with it both tokens."""
    with activity_recorded(user=user, action=Activity.Action.DISCONNECTED, company=company):
        WeblinkConnection.objects.filter(user=user, company=company).delete()


def _connection_store(
    *,
    user: AbstractBaseUser,
    company: str,
    company_verified: bool,
    username: str,
    grant: TokenGrant,
) -> WeblinkConnection:
    # Connecting to a company the person has already replaces that company's tokens.
    connection = connection_get(user=user, company=company) or WeblinkConnection(
        user=user, company=company
    )
    connection.company_verified = company_verified
    connection.username = username
    connection.accept_grant(grant)
    connection.save()
    return connection
