"""Sign-in (`POST /oauth2/user-credentials`) and the bearer tokens it hands out."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

from weblink_sim import seed
from weblink_sim.validation import ApiError

TOKEN_LIFETIME = 3600  # seconds


@dataclass(frozen=True)
class Account:
    password: str
    tfa: str  # the two-factor code the account needs, "" when it has none


# The demo sign-in; printed by the management command and used by tests.
ACCOUNTS = {
    "admin": Account(password="demo", tfa=""),  # noqa: S106
    "secure": Account(password="demo", tfa="123456"),  # noqa: S106
}


class TokenStore:
    """Access and refresh tokens, each tied to a user name. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._access: dict[str, tuple[str, float]] = {}  # token -> (user, expires at)
        self._refresh: dict[str, str] = {}  # token -> user

    def issue(self, username: str) -> dict:
        """A new token pair for the user, as the sign-in answer."""
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self._lock:
            self._access[access] = (username, time.monotonic() + TOKEN_LIFETIME)
            self._refresh[refresh] = username
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME,
            "refresh_token": refresh,
        }

    def dump(self) -> dict:
        """The live tokens as plain JSON values; expiry as wall-clock time, which survives a
        restart (the monotonic clock does not)."""
        offset = time.time() - time.monotonic()
        with self._lock:
            return {
                "access": {t: [u, at + offset] for t, (u, at) in self._access.items()},
                "refresh": dict(self._refresh),
            }

    def load(self, data: dict) -> None:
        """Replace the tokens with what :meth:`dump` gave."""
        offset = time.time() - time.monotonic()
        with self._lock:
            self._access = {t: (u, at - offset) for t, (u, at) in data["access"].items()}
            self._refresh = dict(data["refresh"])

    def user_for(self, access_token: str) -> str | None:
        """The user an access token belongs to, or None when it is unknown or expired."""
        with self._lock:
            username, expires_at = self._access.get(access_token, (None, 0.0))
        return username if time.monotonic() < expires_at else None

    def expire(self, access_token: str) -> None:
        """Let one access token expire now (its refresh token stays usable)."""
        with self._lock:
            self._access.pop(access_token, None)

    def use_refresh_token(self, refresh_token: str) -> str | None:
        """The user of a refresh token, which is used up; None when it is not valid."""
        with self._lock:
            return self._refresh.pop(refresh_token, None)


def sign_in(tokens: TokenStore, fields: dict) -> dict:
    """Answer a sign-in request (password or refresh-token grant) or raise ApiError."""
    grant_type = fields.get("grant_type")
    if grant_type not in ("password", "refresh_token"):
        raise _oauth_error(400, "unsupported_grant_type", "Use grant_type password.")
    if fields.get("client_id") != f"external.{seed.COMPANY}":
        raise _oauth_error(401, "invalid_client", "Unknown company.")
    if grant_type == "refresh_token":
        username = tokens.use_refresh_token(str(fields.get("refresh_token", "")))
        if username is None:
            raise _oauth_error(401, "invalid_grant", "The refresh token is not valid.")
        return tokens.issue(username)
    username = fields.get("username")
    account = ACCOUNTS.get(username) if isinstance(username, str) else None
    if account is None or not secrets.compare_digest(
        str(fields.get("password", "")), account.password
    ):
        raise _oauth_error(401, "invalid_grant", "Wrong user name or password.")
    if account.tfa and not secrets.compare_digest(str(fields.get("tfa", "")), account.tfa):
        raise _oauth_error(402, "tfa_required", "The two-factor code is missing, wrong or expired.")
    return tokens.issue(username)


def _oauth_error(status: int, error: str, description: str) -> ApiError:
    return ApiError(status, description, extra={"error": error, "error_description": description})
