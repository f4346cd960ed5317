"""The Weblink NGUC API: the client, its errors and the typed metadata it returns."""

from reports_admin.weblink.client import FORMATS, Download, WeblinkClient
from reports_admin.weblink.errors import (
    BadAnswer,
    InvalidInput,
    NotConnected,
    NotFound,
    PartialUpdate,
    RateLimited,
    SendRefused,
    TokenRejected,
    TwoFactorRequired,
    UpstreamUnavailable,
    WeblinkError,
    message_id,
)

__all__ = [
    "FORMATS",
    "BadAnswer",
    "Download",
    "InvalidInput",
    "NotConnected",
    "NotFound",
    "PartialUpdate",
    "RateLimited",
    "SendRefused",
    "TokenRejected",
    "TwoFactorRequired",
    "UpstreamUnavailable",
    "WeblinkClient",
    "WeblinkError",
    "message_id",
]
