"""Sign-in (`POST /oauth2/user-credentials`) and the bearer tokens it hands out, each one
belonging to one user of one company."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Mapping
from typing import NamedTuple

from weblink_sim import seed
from weblink_sim.validation import ApiError

TOKEN_LIFETIME = 3600  # seconds
CLIENT_ID_PREFIX = "external."


class Grant(NamedTuple):
    """Whom a token was issued to."""

    company: str
    username: str


class TokenStore:
    """Access and refresh tokens, each tied to a company and a user name. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._access: dict[str, tuple[Grant, float]] = {}  # token -> (grant, expires at)
        self._refresh: dict[str, Grant] = {}

    def issue(self, company: str, username: str) -> dict:
        """A new token pair for the user of the company, as the sign-in answer."""
        grant = Grant(company, username)
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self._lock:
            self._access[access] = (grant, time.monotonic() + TOKEN_LIFETIME)
            self._refresh[refresh] = grant
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
                "access": {
                    t: {**g._asdict(), "expires_at": at + offset}
                    for t, (g, at) in self._access.items()
                },
                "refresh": {t: g._asdict() for t, g in self._refresh.items()},
            }

    def load(self, data: dict) -> None:
        """Replace the tokens with what :meth:`dump` gave. A file from before there were
        several companies holds ``[user, expires at]`` and bare user names: demo's tokens."""
        offset = time.time() - time.monotonic()
        access, refresh = {}, {}
        for token, value in data["access"].items():
            if isinstance(value, list):
                username, at = value
                value = {"company": seed.COMPANY, "username": username, "expires_at": at}
            access[token] = (
                Grant(value["company"], value["username"]),
                value["expires_at"] - offset,
            )
        for token, value in data["refresh"].items():
            if isinstance(value, str):
                value = {"company": seed.COMPANY, "username": value}
            refresh[token] = Grant(value["company"], value["username"])
        with self._lock:
            self._access, self._refresh = access, refresh

    def grant_for(self, access_token: str) -> Grant | None:
        """Whom an access token belongs to, or None when it is unknown or expired."""
        with self._lock:
            grant, expires_at = self._access.get(access_token, (None, 0.0))
        return grant if time.monotonic() < expires_at else None

    def user_for(self, access_token: str) -> str | None:
        """The user name an access token belongs to, or None when it is unknown or expired."""
        grant = self.grant_for(access_token)
        return grant.username if grant else None

    def expire(self, access_token: str) -> None:
        """Let one access token expire now (its refresh token stays usable)."""
        with self._lock:
            self._access.pop(access_token, None)

    def use_refresh_token(self, refresh_token: str, company: str) -> Grant | None:
        """Whom a refresh token of the company was issued to; it is used up. None when it is
        not valid, or belongs to another company (it then stays usable there)."""
        with self._lock:
            grant = self._refresh.get(refresh_token)
            if grant is None or grant.company != company:
                return None
            del self._refresh[refresh_token]
            return grant


def company_named(client_id: object) -> str | None:
    """The company a sign-in's ``client_id`` (``external.<company>``) names, if it has the form."""
    if not isinstance(client_id, str) or not client_id.startswith(CLIENT_ID_PREFIX):
        return None
    return client_id.removeprefix(CLIENT_ID_PREFIX)


def sign_in(tokens: TokenStore, companies: Mapping[str, seed.CompanySeed], fields: dict) -> dict:
    """Answer a sign-in request (password or refresh-token grant) to one of ``companies``, or
    raise ApiError."""
    grant_type = fields.get("grant_type")
    if grant_type not in ("password", "refresh_token"):
        raise _oauth_error(400, "unsupported_grant_type", "Use grant_type password.")
    company = companies.get(company_named(fields.get("client_id")) or "")
    if company is None:
        raise _oauth_error(401, "invalid_client", "Unknown company.")
    if grant_type == "refresh_token":
        grant = tokens.use_refresh_token(str(fields.get("refresh_token", "")), company.name)
        if grant is None:
            raise _oauth_error(401, "invalid_grant", "The refresh token is not valid.")
        return tokens.issue(*grant)
    username = fields.get("username")
    account = company.accounts.get(username) if isinstance(username, str) else None
    if account is None or not secrets.compare_digest(
        str(fields.get("password", "")), account.password
    ):
        raise _oauth_error(401, "invalid_grant", "Wrong user name or password.")
    if account.tfa and not secrets.compare_digest(str(fields.get("tfa", "")), account.tfa):
        raise _oauth_error(402, "tfa_required", "The two-factor code is missing, wrong or expired.")
    return tokens.issue(company.name, username)


def _oauth_error(status: int, error: str, description: str) -> ApiError:
    return ApiError(status, description, extra={"error": error, "error_description": description})
