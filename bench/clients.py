"""HTTP clients of the benchmark: a signed-in person on the dashboard, and the simulator
(its control endpoints, and its API with a token from its own sign-in)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import requests

from bench.html_forms import Form, form_with

TIMEOUT = 30  # seconds; no call of the benchmark should come near it
DOWNLOAD_TIMEOUT = 300
CHUNK = 1024 * 1024

# The dashboard account `manage.py demo_account` makes, and the simulator's demo sign-in.
DASHBOARD_USER = "demo"
DASHBOARD_PASSWORD = "demo"  # noqa: S105 - the public demo account
SIMULATOR_SIGN_IN = {
    "grant_type": "password",
    "client_id": "external.demo",
    "username": "admin",
    "password": "demo",
    "tfa": "",
}


def timed[T](call: Callable[[], T]) -> tuple[T, float]:
    """What ``call()`` returns and the seconds it took."""
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def stream_to_nowhere(response: requests.Response) -> int:
    """Read a streamed body to its end, keeping none of it; returns its length."""
    with response:
        response.raise_for_status()
        return sum(len(chunk) for chunk in response.iter_content(CHUNK))


class DashboardClient:
    """One person signed in to the dashboard, over a keep-alive session."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()

    def sign_in(self) -> None:
        form = self.form("/login/", "username", "password")
        form.replace("username", DASHBOARD_USER)
        form.replace("password", DASHBOARD_PASSWORD)
        response = self.post("/login/", form.fields)
        if response.status_code != 302:
            raise RuntimeError(f"Signing in to the dashboard answered {response.status_code}.")

    def copy(self) -> DashboardClient:
        """The same signed-in person on a session (and connection) of its own."""
        other = DashboardClient(self.url)
        other.session.cookies.update(self.session.cookies)
        return other

    def get(self, path: str, *, new_connection: bool = False, **kwargs) -> requests.Response:
        """GET a page; ``new_connection`` closes the connection after it, so that the next
        request may reach another gunicorn worker."""
        headers = {"Connection": "close"} if new_connection else {}
        kwargs.setdefault("timeout", TIMEOUT)
        return self.session.get(self.url + path, headers=headers, allow_redirects=False, **kwargs)

    def page(self, path: str, **kwargs) -> str:
        """A page's HTML; RuntimeError unless it answers 200."""
        response = self.get(path, **kwargs)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}.")
        return response.text

    def form(self, path: str, *names: str) -> Form:
        return form_with(self.page(path), *names)

    def post(
        self,
        path: str,
        fields: Iterable[tuple[str, str]],
        *,
        new_connection: bool = False,
        **kwargs,
    ) -> requests.Response:
        headers = {"Referer": self.url + path}
        if new_connection:
            headers["Connection"] = "close"
        kwargs.setdefault("timeout", TIMEOUT)
        return self.session.post(
            self.url + path,
            data=list(fields),
            headers=headers,
            allow_redirects=False,
            **kwargs,
        )


class SimulatorClient:
    """The simulator: its control endpoints, and its API as the demo company's admin."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()
        response = self.session.post(
            f"{url}/oauth2/user-credentials", json=SIMULATOR_SIGN_IN, timeout=TIMEOUT
        )
        response.raise_for_status()
        self._auth = {"Authorization": f"Bearer {response.json()['access_token']}"}

    # Control endpoints.

    def reset(self) -> None:
        self._control("POST", "reset")

    def stats(self) -> dict[str, int]:
        return self._control("GET", "stats")

    def set_faults(self, **faults: object) -> None:
        """Replace every fault with these (none: no faults)."""
        self._control("POST", "faults", faults)

    def set_download_rows(self, rows: int) -> None:
        self._control("POST", "settings", {"download_rows": rows})

    def _control(self, method: str, name: str, body: object = None) -> dict:
        response = self.session.request(
            method, f"{self.url}/_sim/{name}", json=body, timeout=TIMEOUT
        )
        response.raise_for_status()
        return response.json()

    # The API.

    def report_list(self, *, limit: int, limit_from: int = 0) -> requests.Response:
        """The list call the dashboard's list page makes."""
        params = {"limit": limit, "limit_from": limit_from}
        return self.session.get(
            f"{self.url}/company/report", params=params, headers=self._auth, timeout=TIMEOUT
        )

    def report_create(self, body: dict) -> str:
        response = self.session.post(
            f"{self.url}/company/report", json=body, headers=self._auth, timeout=TIMEOUT
        )
        response.raise_for_status()
        return response.json()["id"]

    def report_patch(self, report_id: str, body: dict) -> None:
        response = self.session.patch(
            f"{self.url}/company/report/{report_id}", json=body, headers=self._auth, timeout=TIMEOUT
        )
        response.raise_for_status()

    def report(self, report_id: str) -> dict:
        """A report as the list gives it (there is no call for one report)."""
        limit_from = 0
        while True:
            page = self.report_list(limit=100, limit_from=limit_from).json()
            for report in page["reports"]:
                if report["id"] == report_id:
                    return report
            limit_from += len(page["reports"])
            if not page["reports"] or limit_from >= int(page["count"]):
                raise LookupError(f"The simulator has no report {report_id}.")

    def download(self, file_format: str, body: dict) -> requests.Response:
        """A report file, streamed: read it with ``stream_to_nowhere``."""
        return self.session.post(
            f"{self.url}/company/report/download/{file_format}",
            json=body,
            headers=self._auth,
            stream=True,
            timeout=DOWNLOAD_TIMEOUT,
        )
