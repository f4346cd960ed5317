"""The id of the request being served, for every log line written while it is.

``RequestLogMiddleware`` sets it for the length of a request; the logging filter in
``config/logging.py`` reads it. Each gunicorn thread has its own context.
"""

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")
