"""The only code that talks HTTP to Weblink.

Every call has an explicit (connect, read) timeout, never follows a redirect, and turns every
failure into the ``WeblinkError`` family. Reads are retried a little on connection errors and
502/503/504; writes, sign-in, send and downloads never are (send is a GET with a side effect:
a retry could e-mail a report twice).
"""

from __future__ import annotations

import email.utils
import http.cookiejar
import json
import logging
import math
import re
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables
from requests.adapters import HTTPAdapter
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import ReadTimeoutError

from reports_admin.weblink.errors import (
    BadAnswer,
    InvalidInput,
    NotFound,
    RateLimited,
    TokenRejected,
    TwoFactorRequired,
    UpstreamUnavailable,
    WeblinkError,
)
from reports_admin.weblink.metadata import (
    ArgumentFields,
    FieldKind,
    Option,
    ReportPage,
    ReportType,
    TokenGrant,
    parse_argument_fields,
    parse_created_id,
    parse_options,
    parse_report_page,
    parse_report_types,
    parse_token_grant,
)

logger = logging.getLogger("reports_admin.weblink")

# The formats a report can be made in, in the order the dashboard offers them.
FORMATS = ("csv", "xlsx", "pdf", "html")
SIGN_IN_PATH = "/oauth2/user-credentials"
MAX_RETRIES = 2
BACKOFF_SECONDS = 0.2  # doubled on each retry: 0.2 s, 0.4 s
RETRY_AFTER_CAP_SECONDS = 3.0
RETRY_STATUSES = frozenset({502, 503, 504})
_ID = re.compile(r"[0-9]{1,20}")
_DETAIL_MAX_CHARS = 300
_READ_CHUNK_BYTES = 64 * 1024
_BROKEN_DOWNLOAD = gettext_lazy(
    "The download from Weblink broke off before the file was complete. Try again."
)

# Module-level so tests can replace it and never wait.
sleep = time.sleep

_local = threading.local()


def _session() -> requests.Session:
    """This thread's pooled session (a requests.Session must not be shared across threads)."""
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        # Retries are decided per call in WeblinkClient._send, never by urllib3.
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=10, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        # Every person's client on this thread uses this session: it must keep no cookies.
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        _local.session = session
    return session


def _path_id(value: str | int) -> str:
    """An id fit for a path: decimal digits only. Anything else cannot exist upstream."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise NotFound()
    return value


def _retry_after(response: requests.Response) -> float | None:
    """Retry-After in seconds (it may be a number or an HTTP date), or None."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _retry_delay(retry: int, response: requests.Response | None) -> float:
    """Exponential back-off, or what Retry-After asks for, capped so a page never hangs."""
    retry_after = None if response is None else _retry_after(response)
    if retry_after is None:
        return BACKOFF_SECONDS * 2**retry
    return min(retry_after, RETRY_AFTER_CAP_SECONDS)


def _sentence(text: str) -> str:
    text = text.strip()[:_DETAIL_MAX_CHARS]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _error_details(content: bytes) -> tuple[str, dict[str, list[str]]]:
    """The text and per-field errors of an error body, whose shape is not documented."""
    try:
        body = json.loads(content)
    except ValueError:
        return "", {}
    if not isinstance(body, dict):
        return "", {}
    text = next(
        (
            value
            for key in ("message", "error_description", "error")
            if isinstance(value := body.get(key), str) and value.strip()
        ),
        "",
    )
    errors = body.get("errors")
    field_errors: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, messages in errors.items():
            messages = messages if isinstance(messages, list) else [messages]
            field_errors[str(key)] = [str(message) for message in messages]
    elif isinstance(errors, list) and not text:
        text = " ".join(str(message) for message in errors)
    return text, field_errors


def _content_length(response: requests.Response) -> int | None:
    """The length of the body we hand on, when Weblink says it."""
    value = response.headers.get("Content-Length", "")
    # An encoded body's Content-Length is not the number of bytes we hand on.
    encoded = response.headers.get("Content-Encoding", "identity") != "identity"
    if encoded or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


class Download:
    """A report file streaming from Weblink. Always closes the upstream connection."""

    def __init__(self, response: requests.Response) -> None:
        self._response = response
        self.content_type: str | None = response.headers.get("Content-Type")
        self.content_length = _content_length(response)

    def iter_chunks(self, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        """The file's bytes; UpstreamUnavailable if the stream breaks or ends short."""
        received = 0
        try:
            for chunk in self._response.iter_content(chunk_size):
                received += len(chunk)
                yield chunk
        except requests.RequestException as exc:
            raise UpstreamUnavailable(_BROKEN_DOWNLOAD) from exc
        finally:
            self.close()
        if self.content_length is not None and received < self.content_length:
            raise UpstreamUnavailable(_BROKEN_DOWNLOAD)

    def close(self) -> None:
        """Release the upstream connection (safe to call more than once)."""
        self._response.close()

    def __enter__(self) -> Download:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class WeblinkClient:
    """One person's view of the Weblink API, authenticated with their access token."""

    def __init__(self, token: str | None = None, *, base_url: str | None = None) -> None:
        self._token = token
        self._base_url = (base_url or settings.WEBLINK_API_URL).rstrip("/")
        self._connect_timeout = settings.WEBLINK_CONNECT_TIMEOUT
        self._read_timeout = settings.WEBLINK_READ_TIMEOUT
        self._download_read_timeout = settings.WEBLINK_DOWNLOAD_READ_TIMEOUT
        self._total_timeout = settings.WEBLINK_TOTAL_TIMEOUT
        self._max_json_bytes = settings.WEBLINK_MAX_JSON_BYTES
        self._option_paths = {
            FieldKind.PBX_QUEUE: settings.WEBLINK_QUEUES_PATH,
            FieldKind.PBX_USER: settings.WEBLINK_USERS_PATH,
            FieldKind.PBX_APP_CALLBACK_DESTINATION: settings.WEBLINK_CALLBACK_DESTINATIONS_PATH,
        }

    # Sign-in.

    def sign_in(self, *, company: str, username: str, password: str, tfa: str = "") -> TokenGrant:
        """Exchange a person's credentials (and two-factor code) for a token."""
        body = {
            "grant_type": "password",
            "client_id": f"external.{company}",
            "username": username,
            "password": password,
            "tfa": tfa,
        }
        rejected = _("Weblink did not accept the company, user name or password.")
        return parse_token_grant(self._call("POST", SIGN_IN_PATH, body=body, rejected=rejected))

    def refresh(self, *, company: str, refresh_token: str) -> TokenGrant:
        """Exchange a refresh token for a new token."""
        body = {
            "grant_type": "refresh_token",
            "client_id": f"external.{company}",
            "refresh_token": refresh_token,
        }
        rejected = _("Weblink did not accept the stored refresh token. Connect again.")
        return parse_token_grant(self._call("POST", SIGN_IN_PATH, body=body, rejected=rejected))

    # Metadata.

    def report_types(self) -> list[ReportType]:
        """Every report type."""
        return parse_report_types(self._call("GET", "/company/report/type", read=True))

    def argument_fields(self) -> ArgumentFields:
        """The argument fields shared by every type and those of each type."""
        return parse_argument_fields(
            self._call("GET", "/company/report/argument/fields", read=True)
        )

    def options(self, kind: FieldKind) -> list[Option]:
        """The company's queues, users or callback destinations (ValueError for other kinds)."""
        if kind not in self._option_paths:
            raise ValueError(f"{kind} fields have no option list")
        return parse_options(self._call("GET", self._option_paths[kind], read=True))

    # Reports.

    def reports(self, *, limit: int, limit_from: int) -> ReportPage:
        """One page of the company's reports."""
        params = {"limit": limit, "limit_from": limit_from}
        return parse_report_page(self._call("GET", "/company/report", params=params, read=True))

    def report_create(
        self,
        *,
        name: str,
        description: str,
        interval: str,
        active: bool,
        email_link_only: bool,
        report_type_id: str,
        arguments: Iterable[tuple[str, str]],
    ) -> str:
        """Create a report with its arguments; returns the new report's id."""
        body = {
            "interval": interval,
            "active": int(active),
            "name": name,
            "description": description,
            "email_link_only": int(email_link_only),
            "report_type_id": str(report_type_id),
            "arguments": [{"key": key, "value": value} for key, value in arguments],
        }
        return parse_created_id(self._call("POST", "/company/report", body=body))

    def report_update(
        self,
        report_id: str | int,
        *,
        name: str | None = None,
        description: str | None = None,
        interval: str | None = None,
        active: bool | None = None,
        email_link_only: bool | None = None,
    ) -> None:
        """Change a report's own fields (not its type nor its arguments); only those given
        (not None) are sent."""
        values = {
            "interval": interval,
            "active": None if active is None else int(active),
            "name": name,
            "description": description,
            "email_link_only": None if email_link_only is None else int(email_link_only),
        }
        body = {key: value for key, value in values.items() if value is not None}
        if not body:
            raise ValueError("report_update needs at least one field to change")
        self._call("PATCH", f"/company/report/{_path_id(report_id)}", body=body)

    def report_delete(self, report_id: str | int) -> None:
        """Delete a report."""
        self._call("DELETE", f"/company/report/{_path_id(report_id)}")

    def argument_add(self, report_id: str | int, *, key: str, value: str) -> str:
        """Add one argument value to a report; returns the argument's id."""
        path = f"/company/report/{_path_id(report_id)}/argument"
        return parse_created_id(self._call("POST", path, body={"key": key, "value": value}))

    def argument_update(
        self, report_id: str | int, argument_id: str | int, *, key: str, value: str
    ) -> None:
        """Change one argument of a report."""
        path = f"/company/report/{_path_id(report_id)}/argument/{_path_id(argument_id)}"
        self._call("PATCH", path, body={"key": key, "value": value})

    def argument_delete(self, report_id: str | int, argument_id: str | int) -> None:
        """Remove one argument from a report."""
        path = f"/company/report/{_path_id(report_id)}/argument/{_path_id(argument_id)}"
        self._call("DELETE", path)

    def report_send(self, report_id: str | int) -> None:
        """E-mail the report to its recipients now. Never retried."""
        self._call("GET", f"/company/report/{_path_id(report_id)}/send")

    def report_download(
        self,
        *,
        format: str,
        interval: str,
        report_type_id: str,
        arguments: Iterable[tuple[str, str]],
    ) -> Download:
        """Run a report and stream the file; the status is checked before this returns."""
        if format not in FORMATS:
            hint = _("Choose one of %(formats)s.") % {"formats": ", ".join(FORMATS)}
            raise InvalidInput(hint, field_errors={"format": [hint]})
        body = {
            "interval": interval,
            "report_type_id": str(report_type_id),
            "arguments": [{"key": key, "value": value} for key, value in arguments],
        }
        return Download(
            self._send("POST", f"/company/report/download/{format}", body=body, download=True)
        )

    # HTTP.

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        read: bool = False,
        rejected: str | None = None,
    ) -> Any:
        """Send a JSON call and return its decoded body (None when empty)."""
        deadline = time.monotonic() + self._total_timeout
        response = self._send(
            method, path, body=body, params=params, read=read, rejected=rejected, deadline=deadline
        )
        content = self._read_body(response, deadline)
        if not content.strip():
            return None
        try:
            return json.loads(content)
        except ValueError as exc:
            raise BadAnswer(_("Weblink sent an answer that is not valid JSON.")) from exc

    def _read_body(self, response: requests.Response, deadline: float) -> bytes:
        """The whole body, read as a stream: cut off past WEBLINK_MAX_JSON_BYTES or the call's
        deadline (a body dripped a byte at a time must not hold a worker), always closed."""
        limit = self._max_json_bytes
        too_large = BadAnswer(
            _("Weblink sent an answer larger than %(megabytes)s MB, so it was not read.")
            % {"megabytes": round(limit / 1_000_000, 1)}
        )
        chunks, size = [], 0
        try:
            length = _content_length(response)
            if length is not None and length > limit:
                raise too_large
            while True:
                self._bound_next_read(response, deadline)
                chunk = response.raw.read1(_READ_CHUNK_BYTES, decode_content=True)
                if not chunk:
                    return b"".join(chunks)
                size += len(chunk)
                if size > limit:
                    raise too_large
                chunks.append(chunk)
        except (Urllib3Error, OSError, requests.RequestException) as exc:
            timed_out = isinstance(exc, ReadTimeoutError | TimeoutError)
            raise UpstreamUnavailable(
                _("Weblink did not send its whole answer in time. Try again in a moment.")
                if timed_out
                else _("The connection to Weblink broke off. Try again in a moment."),
                timed_out=timed_out,
            ) from exc
        finally:
            response.close()

    def _bound_next_read(self, response: requests.Response, deadline: float) -> None:
        """Let the next read wait no longer than the call has left; past it, a timeout."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("WEBLINK_TOTAL_TIMEOUT")
        connection = response.raw.connection
        sock = getattr(connection, "sock", None)
        if sock is not None:
            sock.settimeout(min(self._read_timeout, remaining))

    # Every variable of this frame and of the HTTP library's frames below it (the
    # Authorization header) shows as stars on a debug page.
    @sensitive_variables()
    def _send(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        read: bool = False,
        download: bool = False,
        rejected: str | None = None,
        deadline: float | None = None,
    ) -> requests.Response:
        """One call, retried only when ``read``; raises the WeblinkError family. Returns the
        response with its body still to read.

        ``rejected`` marks sign-in and refresh: no bearer token, and the message for a 401.
        ``deadline`` (time.monotonic) bounds the whole call, retries included; a download has
        none: its read timeout is the idle time allowed between chunks.
        """
        headers = {"Accept": "*/*" if download else "application/json"}
        if download:
            # Keep the file as Weblink sends it, so Content-Length is the length we pass on.
            headers["Accept-Encoding"] = "identity"
        if rejected is None:
            if not self._token:
                raise TokenRejected(_("No Weblink token is stored. Connect first."))
            headers["Authorization"] = f"Bearer {self._token}"
        retries = MAX_RETRIES if read else 0
        retry = 0
        while True:
            started = time.monotonic()
            if deadline is None:
                read_timeout = self._download_read_timeout
            elif started < deadline:
                read_timeout = min(self._read_timeout, deadline - started)
            else:
                raise UpstreamUnavailable(
                    _("Weblink did not answer in time. Try again in a moment."), timed_out=True
                )
            try:
                response = _session().request(
                    method,
                    self._base_url + path,
                    params=params,
                    json=body,
                    headers=headers,
                    timeout=(self._connect_timeout, read_timeout),
                    allow_redirects=False,
                    stream=True,  # bodies are read bounded: _read_body, or a Download
                )
            except requests.ConnectionError as exc:  # connect timeouts included
                self._log(method, path, type(exc).__name__, started)
                if retry < retries:
                    sleep(_retry_delay(retry, None))
                    retry += 1
                    continue
                raise UpstreamUnavailable(
                    _("The connection to Weblink failed. Try again in a moment.")
                ) from exc
            except requests.Timeout as exc:  # the request went out; no answer came back
                self._log(method, path, type(exc).__name__, started)
                raise UpstreamUnavailable(
                    _("Weblink did not answer in time. It may still have carried out the request."),
                    timed_out=True,
                ) from exc
            except requests.RequestException as exc:
                self._log(method, path, type(exc).__name__, started)
                raise UpstreamUnavailable() from exc
            self._log(method, path, response.status_code, started)
            if response.status_code in RETRY_STATUSES and retry < retries:
                response.close()
                sleep(_retry_delay(retry, response))
                retry += 1
                continue
            if not 200 <= response.status_code < 300:
                content = self._read_body(response, deadline or time.monotonic() + read_timeout)
                raise self._error(response, content, rejected)
            return response

    def _error(
        self, response: requests.Response, content: bytes, rejected: str | None
    ) -> WeblinkError:
        """The exception for an answer that is not 2xx, whose body is ``content``."""
        status = response.status_code
        text, field_errors = _error_details(content)
        text = self._redact(text)
        field_errors = {
            key: [self._redact(message) for message in messages]
            for key, messages in field_errors.items()
        }
        if status == 401:
            return TokenRejected(rejected, status=status)
        if status == 402:
            return TwoFactorRequired(status=status)
        if status == 404:
            return NotFound(status=status)
        if status in (400, 422):
            detail = text or "; ".join(
                f"{key}: {' '.join(messages)}" for key, messages in field_errors.items()
            )
            message = (
                _("Weblink did not accept the input: %(detail)s") % {"detail": _sentence(detail)}
                if detail
                else None
            )
            return InvalidInput(message, status=status, field_errors=field_errors)
        if status == 429:
            return RateLimited(status=status, retry_after=_retry_after(response))
        if status >= 500:
            return UpstreamUnavailable(
                _("Weblink is not available right now (status %(status)s). Try again in a moment.")
                % {"status": status},
                status=status,
                retry_after=_retry_after(response),
            )
        if 300 <= status < 400:
            return BadAnswer(
                _("Weblink answered with a redirect (status %(status)s), which is not followed.")
                % {"status": status},
                status=status,
            )
        if text:
            message = _("Weblink refused the request (status %(status)s): %(detail)s") % {
                "status": status,
                "detail": _sentence(text),
            }
        else:
            message = _("Weblink refused the request (status %(status)s).") % {"status": status}
        return WeblinkError(message, status=status)

    def _redact(self, text: str) -> str:
        """Upstream text with our token removed, should Weblink ever echo it."""
        return text.replace(self._token, "[token]") if self._token else text

    @staticmethod
    def _log(method: str, path: str, outcome: int | str, started: float) -> None:
        """Method, path (never the query), status or error, and duration; never the token."""
        milliseconds = round((time.monotonic() - started) * 1000)
        failed = not isinstance(outcome, int) or outcome >= 400
        logger.log(
            logging.WARNING if failed else logging.INFO,
            "%s %s %s %d ms",
            method,
            path,
            outcome,
            milliseconds,
        )
