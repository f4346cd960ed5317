"""Downloads and previews: run a report on Weblink and stream the file through to the
browser, or read only the start of the same stream for a preview.

The file is passed on chunk by chunk, so memory stays flat whatever its size. Weblink's
status is checked before the first byte (a failure raises, so the page can say so); a
failure later raises while streaming, so the server aborts the response instead of ending
it as if the file were complete. The same happens to a download still running when the
process stops and its grace period (``DOWNLOAD_GRACE_SECONDS``) is over: the browser sees a
failed download, never a short file. The upstream connection is closed in every case, also
when the browser goes away (the server then closes the response). The activity log says how
each download ended. The headers are our own:
a safe file name, our content type, always an attachment, never rendered on our origin.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from reports_admin import draining
from reports_admin.activity.models import Activity
from reports_admin.activity.services import activity_record
from reports_admin.connection.calls import connection_required, weblink_call
from reports_admin.connection.models import WeblinkConnection
from reports_admin.reports import preview
from reports_admin.weblink import WeblinkError
from reports_admin.weblink.client import Download
from reports_admin.weblink.metadata import Report

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK_SIZE = 64 * 1024
PREVIEW_CHUNK_SIZE = 64 * 1024
NAME_MAX_CHARS = 80
# A file needs nothing from anywhere, and an HTML report opened anyway gets no origin.
_FILE_CSP = "default-src 'none'; sandbox"
_RESTARTED = gettext_lazy("Interrupted: the dashboard restarted before the file was complete.")
_BROWSER_STOPPED = gettext_lazy(
    "Interrupted: the browser stopped the download before the file was complete."
)
logger = logging.getLogger(__name__)
# Anything but letters, digits, spaces, dots, dashes and underscores becomes a dash.
_UNSAFE = re.compile(r"[^\w .-]+")


def report_download(
    *, connection: WeblinkConnection | None, report: Report, format: str
) -> StreamingHttpResponse:
    """The saved report run now in ``format`` (its own format argument replaced)."""
    return _download_response(
        connection=connection,
        report_id=report.id,
        name=report.name,
        format=format,
        interval=report.interval or "",
        report_type_id=report.report_type_id or "",
        arguments=[(a.key, a.value) for a in report.arguments],
    )


def report_run_download(
    *,
    connection: WeblinkConnection | None,
    name: str,
    interval: str,
    report_type_id: str,
    arguments: Mapping[str, Sequence[str]],
) -> StreamingHttpResponse:
    """A report that is not saved, run once; its format is its ``format`` argument."""
    pairs = [(key, value) for key, values in arguments.items() for value in values]
    return _download_response(
        connection=connection,
        name=name,
        format=next(iter(arguments.get("format", ())), ""),
        interval=interval,
        report_type_id=report_type_id,
        arguments=pairs,
    )


def _download_response(
    *,
    connection: WeblinkConnection | None,
    name: str,
    format: str,
    interval: str,
    report_type_id: str,
    arguments: Sequence[tuple[str, str]],
    report_id: str = "",
) -> StreamingHttpResponse:
    """Runs the report on Weblink and answers with the file, streamed.

    Raises a WeblinkError (and logs it as the activity's outcome) when Weblink refuses or
    fails before the first chunk has arrived. ``name`` names the file; ``report_id`` is
    blank for a report that is not saved.
    """
    record = _recorder(
        connection, Activity.Action.DOWNLOADED, report_id=report_id, report_name=name
    )
    download = _open(
        connection,
        record,
        format=format,
        interval=interval,
        report_type_id=report_type_id,
        arguments=arguments,
    )
    stream = _FileStream(download, on_end=record)
    # Before any status goes out: a file cut before its first chunk gets our error page.
    stream.read_first()
    response = StreamingHttpResponse(stream, content_type=CONTENT_TYPES[format])
    if download.content_length is not None:
        response["Content-Length"] = str(download.content_length)
    response["Content-Disposition"] = content_disposition(file_name(name, format))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = _FILE_CSP
    return response


@dataclass(frozen=True)
class HtmlPreview:
    """The start of a report's HTML file: at most ``preview.MAX_BYTES``; ``cut`` when the
    file goes on. Weblink's markup: never put into one of our pages."""

    content: bytes
    cut: bool


def report_preview(
    *,
    connection: WeblinkConnection | None,
    format: str,
    interval: str,
    report_type_id: str,
    arguments: Sequence[tuple[str, str]],
    report_id: str = "",
    report_name: str = "",
) -> preview.CsvPreview | HtmlPreview:
    """The first rows of the report run now (``format`` "csv"), or the start of its HTML
    (``format`` "html"), read from the same stream as a download and closed once read.

    At most ``preview.MAX_BYTES`` are read from Weblink, whatever the file's size. Logged as
    a preview; raises a WeblinkError when Weblink refuses or fails.
    """
    record = _recorder(
        connection, Activity.Action.PREVIEWED, report_id=report_id, report_name=report_name
    )
    download = _open(
        connection,
        record,
        format=format,
        interval=interval,
        report_type_id=report_type_id,
        arguments=arguments,
    )
    try:
        # Chunks that add up to exactly MAX_BYTES, so nothing past it is read.
        chunks = download.iter_chunks(PREVIEW_CHUNK_SIZE)
        if format == "html":
            result = HtmlPreview(*preview.html_preview(chunks))
        else:
            result = preview.csv_preview(chunks)
    except WeblinkError as error:
        record(error.message, error.message_id)
        raise
    finally:
        download.close()
    read = result.bytes_read if isinstance(result, preview.CsvPreview) else len(result.content)
    logger.info("Preview: %d bytes of the file read from Weblink, then closed", read)
    record(Activity.ACCEPTED)
    return result


def _recorder(
    connection: WeblinkConnection | None,
    action: Activity.Action,
    *,
    report_id: str,
    report_name: str,
) -> Callable[..., None]:
    """Writes the action's entry in the activity log, given its outcome."""
    user, company = connection_required(connection).user, connection.company

    def record(outcome: str | Promise, outcome_id: str = "") -> None:
        activity_record(
            user=user,
            company=company,
            action=action,
            report_id=report_id,
            report_name=report_name if report_id else "",
            outcome=outcome,
            outcome_id=outcome_id,
        )

    return record


def _open(
    connection: WeblinkConnection | None,
    record: Callable[..., None],
    *,
    format: str,
    interval: str,
    report_type_id: str,
    arguments: Sequence[tuple[str, str]],
) -> Download:
    """The report run on Weblink now, streaming in ``format`` (its own format argument
    replaced); a failure before the first byte is recorded, then raised."""
    arguments = [(k, v) for k, v in arguments if k != "format"] + [("format", format)]
    try:
        return weblink_call(
            connection=connection,
            operation=lambda client: client.report_download(
                format=format,
                interval=interval,
                report_type_id=report_type_id,
                arguments=arguments,
            ),
        )
    except WeblinkError as error:
        record(error.message, error.message_id)
        raise


def file_name(name: str, format: str) -> str:
    """``<name>-<YYYY-MM-DD>.<format>``, with nothing in the name a file system or header
    could misread (no slashes, quotes or control characters)."""
    safe = _UNSAFE.sub("-", unicodedata.normalize("NFC", name))
    safe = re.sub(r"\s+", " ", safe).strip(" .-")[:NAME_MAX_CHARS].strip(" .-")
    return f"{safe or 'report'}-{timezone.localdate():%Y-%m-%d}.{format}"


def content_disposition(filename: str) -> str:
    """An attachment header per RFC 6266: a plain ASCII ``filename`` for every browser, and
    the real name as ``filename*`` (RFC 5987) when it is not ASCII."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    header = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        header += f"; filename*=utf-8''{quote(filename)}"
    return header


class _FileStream:
    """The file's chunks for StreamingHttpResponse.

    Django hands ``close`` to the server, which calls it once the response is sent or the
    browser has gone, even if no chunk was asked for: the upstream connection closes then.
    ``on_end`` gets the outcome once: accepted, the error, that the browser stopped, or that
    the dashboard stopped before the file was complete.
    """

    def __init__(self, download: Download, *, on_end: Callable[[str | Promise, str], None]) -> None:
        self._download = download
        self._chunks = download.iter_chunks(CHUNK_SIZE)
        self._on_end = on_end
        self._ended = False
        self._first: bytes | None = None
        # Closed by the server, which may do so twice.
        self._lock = threading.Lock()

    def read_first(self) -> None:
        """Read the first chunk now; a WeblinkError (already recorded) if the file breaks."""
        self._first = next(self, None)  # None: an empty file, recorded as accepted

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._first is not None:
            first, self._first = self._first, None
            return first
        if draining.grace_over():
            # The dashboard is stopping: raised to the server, which aborts the response.
            self._end(_RESTARTED)
            raise draining.Interrupted
        try:
            return next(self._chunks)
        except StopIteration:
            self._end(Activity.ACCEPTED)
            raise
        except WeblinkError as error:
            if draining.grace_over():
                # The grace period's end closed the upstream under this read.
                self._end(_RESTARTED)
                raise draining.Interrupted from error
            # Raised on to the server, which then aborts the response.
            self._end(error.message, error.message_id)
            raise

    def close(self) -> None:
        # The outcome is recorded whatever closing raises: Django's response swallows a
        # closer's error, and the entry would be lost with it.
        try:
            self._download.close()
            with contextlib.suppress(ValueError):
                self._chunks.close()
        finally:
            self._end(_RESTARTED if draining.grace_over() else _BROWSER_STOPPED)

    def _end(self, outcome: str | Promise, outcome_id: str = "") -> None:
        with self._lock:
            if self._ended:
                return
            self._ended = True
        self._on_end(outcome, outcome_id)
