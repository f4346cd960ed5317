"""Logging: plain lines or JSON lines on stderr, each tagged with the current request's id.

``reports_admin.web.middleware.RequestLogMiddleware`` sets ``request_id`` for the length of a
request, so every record logged meanwhile (the access line, the Weblink client's calls,
errors) carries the same id and one request can be followed across the log.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from reports_admin.web.request_id import request_id

# The only extras (``logger.info(..., extra={...})``) that JSON lines include: a whitelist, so
# that objects a library attaches to a record (Django adds the request) are never dumped.
EXTRA_FIELDS = ("user_id", "method", "path", "status", "ms", "instance", "bytes", "ended")

PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


# Control characters that could end a plain line early or forge another one (C0, DEL, C1, and the
# Unicode line and paragraph separators), each mapped to a visible escape.
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_CONTROL_ESCAPES = str.maketrans(
    {code: _ESCAPES.get(chr(code), f"\\x{code:02x}") for code in (*range(0x20), *range(0x7F, 0xA0))}
    | {0x2028: "\\u2028", 0x2029: "\\u2029"}
)


def escape_controls(text: str) -> str:
    """``text`` with every control character escaped, so it stays on one line."""
    return text.translate(_CONTROL_ESCAPES)


class PlainFormatter(logging.Formatter):
    """Plain lines in which a request path (or any value) cannot start a forged line.

    Only the formatted message is escaped: a traceback, which ``format`` appends afterwards,
    keeps its own line breaks so that it still reads well.
    """

    def __init__(self, fmt: str = PLAIN_FORMAT, *args: Any, **kwargs: Any) -> None:
        super().__init__(fmt, *args, **kwargs)

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        return escape_controls(super().formatMessage(record))


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record that reaches the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, whitelisted extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id.get()),
        }
        entry.update(
            {name: getattr(record, name) for name in EXTRA_FIELDS if hasattr(record, name)}
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def logging_config(*, log_format: str = "plain", level: str = "INFO") -> dict[str, Any]:
    """The LOGGING setting: every record to stderr, as JSON lines when ``log_format`` is "json"."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "plain": {"()": PlainFormatter},
            "json": {"()": JsonFormatter},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if log_format == "json" else "plain",
                "filters": ["request_id"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        # Listed loggers lose the handlers Django gave them and log through the root's alone
        # (Django's own console handler would print every line twice with DEBUG on).
        "loggers": {
            "django": {"level": "INFO", "propagate": True},
            # runserver's own line per request would repeat our access line.
            "django.server": {"level": "WARNING", "propagate": True},
        },
    }
