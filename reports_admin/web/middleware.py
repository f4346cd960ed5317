"""Request middleware: request ids and the access log, the session limits, the person's
Weblink connection, no-store."""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django_otp import user_has_device

from reports_admin import draining
from reports_admin.connection.selectors import CURRENT_COMPANY, CurrentConnection
from reports_admin.web import two_factor
from reports_admin.web.request_id import request_id
from reports_admin.weblink import WeblinkError

access_logger = logging.getLogger("reports_admin.access")

# An id set by the proxy in front is kept, so its log and ours match; it goes into every log
# line, so it must look like an id and nothing else.
_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# When the person signed in and when they were last seen (seconds since the epoch), kept in
# their session.
SIGNED_IN_AT = "reports_admin_signed_in_at"
LAST_SEEN_AT = "reports_admin_last_seen_at"
# Activity is noted at most this often, so most pages do not write the session.
LAST_SEEN_RESOLUTION = 60

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class RequestLogMiddleware:
    """Outermost: gives each request an id (``X-Request-ID``) and logs one line when it ends.

    The line has the request id, user id, method, path (never the query string, which may
    carry anything), status, milliseconds and the instance's name (``INSTANCE_NAME``). A
    streamed response is logged when it has ended, with the bytes sent and how it ended, and
    records logged while it streams keep the request's id.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.monotonic()
        incoming = request.headers.get("X-Request-ID", "")
        current_id = incoming if _INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id.set(current_id)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = current_id
            # A file from disk (static files) goes out at once, and keeps its sendfile path.
            if response.streaming and not isinstance(response, FileResponse):
                response.streaming_content = _LoggedStream(
                    response.streaming_content, request, response, current_id, started
                )
            else:
                _log_access(request, response, started)
            return response
        finally:
            request_id.reset(token)


# How a streamed response ended, in its access line.
COMPLETE = "complete"
CLIENT_GONE = "client gone"
UPSTREAM_CUT = "upstream cut"
SHUTDOWN = "shutdown"
FAILED = "failed"


class _LoggedStream:
    """A streamed body that keeps the request id while it is sent and logs when it is closed.

    The server iterates the body after the middleware has returned, in the same thread, and
    closes it once the body is sent or the client has gone. It counts the bytes that went
    out, and notes why the body ended: all of it sent, the client gone (closed before the
    end without an error), Weblink's stream cut, or this process stopping.
    """

    def __init__(
        self,
        content: Iterable[bytes],
        request: HttpRequest,
        response: HttpResponseBase,
        current_id: str,
        started: float,
    ) -> None:
        self._content = content
        self._request = request
        self._response = response
        self._id = current_id
        self._started = started
        self._bytes = 0
        self._ended = CLIENT_GONE
        self._logged = threading.Lock()
        _streaming.add(self)

    def __iter__(self) -> Iterator[bytes]:
        request_id.set(self._id)
        try:
            for chunk in self._content:
                # Bytes handed to the server: the last may not have reached a client that left.
                self._bytes += len(chunk)
                yield chunk
        except draining.Interrupted:
            self._ended = SHUTDOWN
            raise
        except WeblinkError:
            self._ended = UPSTREAM_CUT
            raise
        except Exception:
            self._ended = FAILED
            raise
        self._ended = COMPLETE

    def close(self) -> None:
        # Once: the server closes it, and so may the grace period's end before that.
        if not self._logged.acquire(blocking=False):
            return
        _streaming.discard(self)
        request_id.set(self._id)
        _log_access(self._request, self._response, self._started, (self._bytes, self._ended))
        request_id.set("-")

    def cut(self) -> None:
        """Ends the stream now, from another thread: the process is stopping and the grace
        period is over. The client's connection is shut, so the server thread fails at its
        next write and aborts the response, closing it there: the download's outcome is
        recorded in that thread (an entry written from this one was seen to go missing).
        This line is logged now, before the process is gone."""
        self._ended = SHUTDOWN
        client = self._request.META.get("gunicorn.socket")
        if isinstance(client, socket.socket):
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
        self.close()


# The streams this process is sending, to cut when its grace period ends.
_streaming: weakref.WeakSet[_LoggedStream] = weakref.WeakSet()


def _cut_streams() -> None:
    for stream in list(_streaming):
        stream.cut()


draining.at_grace_end(_cut_streams)


def _log_access(
    request: HttpRequest,
    response: HttpResponseBase,
    started: float,
    stream: tuple[int, str] | None = None,
) -> None:
    """One access line; ``stream`` is a streamed body's bytes sent and how it ended."""
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    milliseconds = round((time.monotonic() - started) * 1000)
    message = "%s %s %s %d ms user %s on %s"
    args: list[object] = [
        request.method,
        request.path,
        response.status_code,
        milliseconds,
        user_id if user_id is not None else "-",
        settings.INSTANCE_NAME,
    ]
    extra: dict[str, object] = {
        "user_id": user_id,
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "ms": milliseconds,
        "instance": settings.INSTANCE_NAME,
    }
    level = logging.INFO
    if stream is not None:
        sent, ended = stream
        message += ", %d bytes, %s"
        args += [sent, ended]
        extra |= {"bytes": sent, "ended": ended}
        if ended != COMPLETE:
            # The status went out before the body broke off: this line says it is short.
            level = logging.WARNING
    access_logger.log(level, message, *args, extra=extra)


class TwoFactorMiddleware:
    """Asks a person who has two-factor sign-in on for a code before any page, /admin/
    included, and sends staff without it to set it up when REQUIRE_2FA_FOR_STAFF is set.

    Goes after django_otp's OTPMiddleware. What a person needs is worked out once per sign-in
    and kept in the session, so other pages cost no query.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        needed = request.session.get(two_factor.NEEDED_SESSION_KEY)
        if needed is None:
            needed = _two_factor_needed(user)
            request.session[two_factor.NEEDED_SESSION_KEY] = needed
        if not needed or _reachable_before_the_code(request, needed):
            return self.get_response(request)
        if needed == "verify":
            if request.method == "GET":
                request.session[two_factor.NEXT_SESSION_KEY] = request.get_full_path()
            return redirect("two_factor_verify")
        messages.warning(request, _("Staff must turn on two-factor sign-in first."))
        return redirect("two_factor")


def _two_factor_needed(user) -> str:
    """ "verify" when the person has a device, "setup" for staff who must, else ""."""
    if user_has_device(user):
        return "verify"
    if settings.REQUIRE_2FA_FOR_STAFF and user.is_staff:
        return "setup"
    return ""


def _reachable_before_the_code(request: HttpRequest, needed: str) -> bool:
    """Signing in and out, the page that asks for the code (or sets it up), the language,
    health checks and static files."""
    if request.path_info.startswith(("/static/", "/healthz", "/readyz")):
        return True
    names = {"login", "logout", "set_language", "two_factor_verify"}
    if needed == "setup":
        names.add("two_factor")
    try:
        return resolve(request.path_info).url_name in names
    except Resolver404:
        return False


class SessionLimitMiddleware:
    """Signs a person out after ``SESSION_IDLE_AGE`` seconds without a request, or once their
    sign-in is older than ``SESSION_ABSOLUTE_AGE`` however active they are.

    Goes after the authentication and message middleware.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            signed_in_at = session.setdefault(SIGNED_IN_AT, now)
            last_seen_at = session.setdefault(LAST_SEEN_AT, now)
            if now - last_seen_at > settings.SESSION_IDLE_AGE:
                logout(request)
                messages.info(request, _("You were signed out after a while without activity."))
            elif now - signed_in_at > settings.SESSION_ABSOLUTE_AGE:
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
            elif now - last_seen_at >= LAST_SEEN_RESOLUTION:
                session[LAST_SEEN_AT] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on responses to signed-in people, unless the view set one.

    Pages behind the sign-in show one person's reports: no browser or proxy cache may keep them.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response


class WeblinkConnectionMiddleware:
    """Gives each request ``weblink_connection``: the person's connections, read from the
    database on first use and then kept for the rest of the request, so that the layout, the
    view and the services below it share the rows and decrypt a token once.

    A page of one company has it in its URL (``/c/<company>/...``): the ``company`` argument
    is taken out before the view is called, the person's connection to it is the one
    ``weblink_connection.get()`` gives (a 404 when they have none by that name), and the
    session remembers it, only to know which company to show first next time.

    Goes after the authentication middleware.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request.weblink_connection = CurrentConnection(request.user)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: list, view_kwargs: dict
    ) -> None:
        company = view_kwargs.pop("company", None)
        if company is None:
            return
        request.weblink_connection = CurrentConnection(request.user, company)
        if not request.user.is_authenticated:
            return
        if request.weblink_connection.get() is None:
            raise Http404
        if request.session.get(CURRENT_COMPANY) != company:
            request.session[CURRENT_COMPANY] = company
