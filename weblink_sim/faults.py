"""What tests and benchmarks can change or watch: faults, settings and the request log."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass

# HTML with an htmx attribute: rendered as HTML, it would POST a disconnect as the page loads.
HOSTILE_TEXT = '<span hx-post="/connection/disconnect/" hx-trigger="load">&lt;b&gt;x</span>'


@dataclass
class Faults:
    """Ways the simulator misbehaves on request. Set the attributes; ``clear()`` undoes all.

    - ``latency``: seconds every API request waits before it is answered.
    - ``status``: answer this status (with a JSON message) instead of the real answer, to
      every API request, or only to paths starting with ``status_path_prefix``; when
      ``status_count`` is set, only to that many requests, after which the fault ends.
    - ``malformed_json``: JSON answers arrive cut in half.
    - ``cut_download_after``: a download's connection closes after this many body bytes.
    - ``tokens_expired``: every bearer token is answered 401.
    - ``list_page_cap``: ``GET /company/report`` answers at most this many reports, whatever
      ``limit`` asks for (its answer's ``limit`` says the capped value).
    - ``create_during_list``: the N-th ``GET /company/report`` (1-based, counted since the
      fault was set) first creates one new report, "Created during the read", a copy of an
      existing one; it fires once, after which the fault ends.
    - ``hostile_texts``: every text Weblink writes (type names and descriptions, field
      descriptions, option names, report names, error messages) carries ``HOSTILE_TEXT``, HTML
      with an htmx attribute that would disconnect whoever rendered it as HTML.
    - ``json_padding_bytes``: JSON answers are padded with this many spaces (still valid JSON).
    - ``drip_seconds``: JSON answers are sent one byte at a time, this many seconds apart.
    - ``endless_list``: ``GET /company/report`` says a count of a billion and answers the same
      first page whatever ``limit_from`` asks for.
    - ``company``: when set, every fault above applies only to the requests for that company
      (those with its bearer token, and sign-ins naming it); the other companies work normally.
    """

    latency: float = 0.0
    status: int | None = None
    status_path_prefix: str = ""
    status_count: int | None = None
    malformed_json: bool = False
    cut_download_after: int | None = None
    tokens_expired: bool = False
    list_page_cap: int | None = None
    create_during_list: int | None = None
    hostile_texts: bool = False
    json_padding_bytes: int | None = None
    drip_seconds: float | None = None
    endless_list: bool = False
    company: str | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._lists_seen = 0  # GET /company/report requests since create_during_list was set

    def clear(self) -> None:
        """Back to no faults at all."""
        self.configure({})

    def configure(self, values: dict) -> None:
        """Replace every fault with ``values`` (absent keys go back to no fault).

        Raises ValueError for unknown keys or values of the wrong type.
        """
        defaults = {f.name: f.default for f in dataclasses.fields(self)}
        unknown = set(values) - set(defaults)
        if unknown:
            raise ValueError(f"Unknown faults: {', '.join(sorted(unknown))}.")
        checked = {
            name: _checked(name, values.get(name, default)) for name, default in defaults.items()
        }
        with self._lock:
            for name, value in checked.items():
                setattr(self, name, value)
            self._lists_seen = 0

    def applies_to(self, company: str | None) -> bool:
        """Whether the faults apply to a request for ``company`` (None: no known company)."""
        return self.company is None or self.company == company

    def take_status(self, path: str) -> int | None:
        """The status to force on a request for ``path``, counting it against ``status_count``."""
        with self._lock:
            if self.status is None or not path.startswith(self.status_path_prefix):
                return None
            status = self.status
            if self.status_count is not None:
                self.status_count -= 1
                if self.status_count <= 0:
                    self.status, self.status_count = None, None
            return status

    def take_create_during_list(self) -> bool:
        """Whether this ``GET /company/report`` is the one that creates a report first
        (``create_during_list``); counts the request, and ends the fault when it fires."""
        with self._lock:
            if self.create_during_list is None:
                self._lists_seen = 0
                return False
            self._lists_seen += 1
            if self._lists_seen < self.create_during_list:
                return False
            self.create_during_list, self._lists_seen = None, 0
            return True

    def to_json(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


_FAULT_TYPES = {
    "latency": (int, float),
    "status": int,
    "status_path_prefix": str,
    "status_count": int,
    "malformed_json": bool,
    "cut_download_after": int,
    "tokens_expired": bool,
    "list_page_cap": int,
    "create_during_list": int,
    "hostile_texts": bool,
    "json_padding_bytes": int,
    "drip_seconds": (int, float),
    "endless_list": bool,
    "company": str,
}


def _checked(name: str, value: object) -> object:
    nullable = name in (
        "status",
        "status_count",
        "cut_download_after",
        "list_page_cap",
        "create_during_list",
        "json_padding_bytes",
        "drip_seconds",
        "company",
    )
    if value is None and nullable:
        return None
    expected = _FAULT_TYPES[name]
    if isinstance(value, bool) and expected is not bool or not isinstance(value, expected):
        raise ValueError(f"Fault {name} has the wrong type.")
    return value


@dataclass
class Settings:
    """How the simulator behaves when nothing is wrong."""

    download_rows: int = 50  # rows in every downloaded file; raise it for benchmarks


@dataclass(frozen=True)
class RequestRecord:
    """One API request as it arrived: method, path and query (last value of each name), and
    the company it was for (its bearer token's, or the one a sign-in names; None when
    neither is known)."""

    method: str
    path: str
    query: dict[str, str]
    company: str | None = None


class RequestLog:
    """The API requests received and the TCP connections accepted. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._requests: list[RequestRecord] = []
            self._connections = 0

    def add_request(self, record: RequestRecord) -> None:
        with self._lock:
            self._requests.append(record)

    def add_connection(self) -> None:
        with self._lock:
            self._connections += 1

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._requests)

    @property
    def connections(self) -> int:
        with self._lock:
            return self._connections
