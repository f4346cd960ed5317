"""The simulator's HTTP server and the :class:`Simulator` object that runs it.

Typical use in tests::

    sim = Simulator()
    base_url = sim.start()            # a free port on 127.0.0.1
    token = sim.issue_token()         # or sign in over HTTP as admin / demo
    sim.state.reports                 # the first company's (demo's) reports
    sim.company("hamnen").reports     # another company's
    sim.issue_token(company="hamnen") # a token that acts on hamnen only
    sim.faults.status = 503           # misbehave; sim.reset() undoes everything
    sim.stop()

Faults are applied here, around the API (``api.dispatch``): latency and forced statuses
before it, malformed JSON and cut downloads on its answers.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from weblink_sim import api, control, seed
from weblink_sim.auth import TokenStore
from weblink_sim.faults import HOSTILE_TEXT, Faults, RequestLog, RequestRecord, Settings
from weblink_sim.report_files import ReportFile
from weblink_sim.state import CompanyState
from weblink_sim.state_file import load_state, save_state


class Simulator:
    """A simulated Weblink API with its companies, faults and logs, served on demand.

    Each company of ``seed.COMPANIES`` has its own accounts, option lists and reports; a
    bearer token acts on its own company's only.
    """

    def __init__(self, state_file: Path | None = None) -> None:
        """``state_file``: where the companies and tokens are kept across restarts (loaded
        now when it exists, written after every request that may change them)."""
        # Each company by name, the first one (demo) first.
        self.companies = {company.name: CompanyState(company) for company in seed.COMPANIES}
        self.tokens = TokenStore()
        self.faults = Faults()
        self.settings = Settings()
        self.log = RequestLog()
        self.state_file = state_file
        self._save_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        if state_file is not None:
            load_state(self, state_file)

    @property
    def state(self) -> CompanyState:
        """The first company's reports (demo's): the one tests use unless they name another."""
        return self.companies[seed.COMPANY]

    def company(self, name: str) -> CompanyState:
        """One company's reports, by its name."""
        try:
            return self.companies[name]
        except KeyError:
            raise KeyError(f"The simulator has no company {name!r}.") from None

    def faults_for(self, company: str | None) -> Faults:
        """The faults in force for a request for ``company``: none at all when they are set
        for another company only."""
        return self.faults if self.faults.applies_to(company) else Faults()

    @property
    def base_url(self) -> str:
        """The URL the API is served at (only while started)."""
        if self._server is None:
            raise RuntimeError("The simulator is not running.")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; port 0 picks a free one. Returns the base URL."""
        if self._server is not None:
            raise RuntimeError("The simulator is already running.")
        self._server = _Server((host, port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="weblink-simulator", daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and close every open connection."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server.close_open_connections()
        self._thread.join()
        self._server = self._thread = None

    def reset(self) -> None:
        """Reseed every company and clear faults, settings and logs. Tokens stay valid."""
        for company in self.companies.values():
            company.reset()
        self.faults.clear()
        self.settings.download_rows = Settings().download_rows
        self.log.clear()

    @property
    def requests(self) -> list[RequestRecord]:
        """The API requests received since the last reset (not the control endpoints)."""
        return self.log.requests

    @property
    def connections_accepted(self) -> int:
        """The TCP connections accepted since the last reset."""
        return self.log.connections

    def save(self) -> None:
        """Write the companies and tokens to the state file, if there is one."""
        if self.state_file is not None:
            # One writer at a time, so an older state never lands after a newer one.
            with self._save_lock:
                save_state(self, self.state_file)

    def issue_token(self, username: str = "admin", company: str = seed.COMPANY) -> str:
        """A valid access token, as if the user had signed in to the company."""
        return self.tokens.issue(self.company(company).name, username)["access_token"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Idle keep-alive connections must not hold up stop(): they are closed instead.
    block_on_close = False

    def __init__(self, address: tuple[str, int], simulator: Simulator) -> None:
        self.simulator = simulator
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request, client_address) -> None:
        self.simulator.log.add_connection()
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        """Stay quiet when a client goes away (timeouts, cut tests); report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def close_open_connections(self) -> None:
        with self._open_lock:
            for connection in self._open:
                with contextlib.suppress(OSError):  # already closed by the other side
                    connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so pooled client connections are reused
    disable_nagle_algorithm = True  # headers and body go in separate writes
    timeout = 120  # seconds an idle keep-alive connection is kept
    server: _Server

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PATCH = do_DELETE = do_PUT = do_OPTIONS = do_GET

    def log_message(self, format: str, *args) -> None:
        """Quiet: the request log is kept in memory instead."""

    def _handle(self) -> None:
        sim = self.server.simulator
        body = self._read_body()
        if body is None:
            return
        url = urlsplit(self.path)
        if url.path.startswith(control.PREFIX):
            status, answer = control.handle(sim, self.command, url.path, body)
            if self.command != "GET":
                sim.save()
            self._send_json(status, json.dumps(answer).encode())
            return
        query = {name: values[-1] for name, values in parse_qs(url.query).items()}
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = api.identify(sim, api.ApiRequest(self.command, url.path, query, headers, body))
        sim.log.add_request(RequestRecord(self.command, url.path, query, request.company))
        faults = sim.faults_for(request.company)
        if faults.latency:
            time.sleep(faults.latency)
        forced = faults.take_status(url.path)
        if forced is not None:
            self._send_forced(forced, faults)
            return
        answer = api.dispatch(sim, request)
        # Every change comes in a request other than GET: saved before it is answered.
        if self.command != "GET":
            sim.save()
        if isinstance(answer, ReportFile):
            self._send_file(answer, faults.cut_download_after)
            return
        data = json.dumps(answer.body, ensure_ascii=False).encode()
        if faults.malformed_json:
            data = data[: max(1, len(data) // 2)]
        self._send_json(answer.status, data, answer.headers, faults)

    def _send_json(
        self,
        status: int,
        data: bytes,
        headers: dict[str, str] | None = None,
        faults: Faults | None = None,
    ) -> None:
        """A JSON answer; an API answer is padded or dripped when its ``faults`` say so."""
        faults = faults or Faults()
        padding = faults.json_padding_bytes or 0
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data) + padding))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            if faults.drip_seconds is not None:
                for byte in range(len(data)):
                    self.wfile.write(data[byte : byte + 1])
                    self.wfile.flush()
                    time.sleep(faults.drip_seconds)
            else:
                self.wfile.write(data)
            blank = b" " * 65536
            while padding > 0:
                self.wfile.write(blank[:padding])
                padding -= len(blank)
        except OSError:
            self.close_connection = True  # the client stopped reading

    def _read_body(self) -> bytes | None:
        """The request body, or None after answering a request the server cannot read."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            self._send_json(411, b'{"message": "Send a Content-Length."}')
            return None
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit():
            self.close_connection = True
            self._send_json(400, b'{"message": "Bad Content-Length."}')
            return None
        return self.rfile.read(int(length))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What the base class answers itself (unreadable requests, unknown methods), as JSON."""
        if code == HTTPStatus.NOT_IMPLEMENTED:
            code = HTTPStatus.METHOD_NOT_ALLOWED  # a method the API uses nowhere
        self.close_connection = True
        data = json.dumps({"message": message or HTTPStatus(code).phrase}).encode()
        self._send_json(code, data, {"Connection": "close"})

    def _send_forced(self, status: int, faults: Faults) -> None:
        # A 429 says when to come back, as rate limiters do.
        headers = {"Retry-After": "1"} if status == 429 else {}
        text = f"Simulated failure with status {status}."
        if faults.hostile_texts:
            text = HOSTILE_TEXT
        message = {"message": text}
        self._send_json(status, json.dumps(message).encode(), headers)

    def _send_file(self, file: ReportFile, cut_after: int | None) -> None:
        """Stream a report file; chunked when its length is unknown, cut short on request."""
        chunked = file.length is None and self.request_version == "HTTP/1.1"
        try:
            self.send_response(200)
            self.send_header("Content-Type", file.content_type)
            self.send_header("Content-Disposition", f'attachment; filename="{file.filename}"')
            if file.length is not None:
                self.send_header("Content-Length", str(file.length))
            elif chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.close_connection = True  # an HTTP/1.0 client reads to the connection's end
            self.end_headers()
            sent = 0
            for chunk in file.chunks:
                if cut_after is not None and sent + len(chunk) > cut_after:
                    self._write_body(chunk, chunked, upto=cut_after - sent)
                    self.close_connection = True
                    return
                self._write_body(chunk, chunked)
                sent += len(chunk)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True  # the client went away
        finally:
            file.chunks.close()

    def _write_body(self, chunk: bytes, chunked: bool, upto: int | None = None) -> None:
        """Write one chunk, or only its first ``upto`` bytes (a cut connection)."""
        if not chunk:
            return
        if chunked:
            self.wfile.write(b"%x\r\n" % len(chunk))
        self.wfile.write(chunk if upto is None else chunk[:upto])
        if chunked and upto is None:
            self.wfile.write(b"\r\n")
