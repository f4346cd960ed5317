"""Security across the whole URLconf: headers, cookies, methods and CSRF, redirects, upstream.

The endpoints are read from the URLconf, so a view added later is covered without touching
this file. The admin site is left out (its views are Django's own, tested by Django): its
entry points are checked for headers only.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import (
    IntConverter,
    PathConverter,
    SlugConverter,
    StringConverter,
    UUIDConverter,
)
from django.urls.resolvers import RoutePattern

from reports_admin.connection.models import WeblinkConnection
from reports_admin.connection.services import connection_save_token

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent

# A value each converter accepts, to fill a route's parameters.
SAMPLES = {
    IntConverter: "1",
    StringConverter: "1",
    SlugConverter: "one",
    PathConverter: "1",
    UUIDConverter: str(uuid.UUID(int=1)),
}
# Ids that try to walk the upstream path; none may ever reach Weblink.
INJECTED_IDS = ("../x", "1%2f..", "-1")
_PARAMETER = re.compile(r"<(?:[^>:]+:)?([^>]+)>")


@dataclass(frozen=True)
class Endpoint:
    route: str  # as written in the URLconf, for test ids
    path: str  # with every parameter filled in

    def __str__(self) -> str:
        return "/" + self.route

    def with_parameters(self, value: str) -> str:
        """The URL with every parameter replaced by ``value`` (as typed, not encoded)."""
        return "/" + _PARAMETER.sub(value, self.route)


def _endpoints(resolver: URLResolver, route: str = "", path: str = "/") -> list[Endpoint]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "admin":
            continue
        if not isinstance(entry.pattern, RoutePattern):
            raise AssertionError(f"add a sample for the regex route {entry.pattern!s} here")
        entry_route = route + str(entry.pattern)
        entry_path = path + _filled(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _endpoints(entry, entry_route, entry_path)
        elif isinstance(entry, URLPattern):
            found.append(Endpoint(route=entry_route, path=entry_path))
    return found


# The company the people of these tests are connected to, in the URLs of its pages.
COMPANY = "demo"


def _filled(pattern: RoutePattern) -> str:
    """The route with a sample value for each parameter its converter accepts."""
    return _PARAMETER.sub(
        lambda m: COMPANY if m[1] == "company" else SAMPLES[type(pattern.converters[m[1]])],
        str(pattern),
    )


def _connect_without_calls(user) -> None:
    """A stored connection to ``COMPANY``, made without a call to Weblink."""
    connection = WeblinkConnection(user=user, company=COMPANY)
    connection.set_tokens(access_token="stored-token")
    connection.save()


ENDPOINTS = _endpoints(get_resolver())
ENDPOINTS_WITH_PARAMETERS = [e for e in ENDPOINTS if "<" in e.route]
ADMIN_ENTRY_POINTS = ["/admin/", "/admin/login/"]
# The one URL our own pages may frame: a report's HTML preview, alone and sandboxed.
FRAMED_BY_US = {"c/<str:company>/reports/preview/html/<str:token>/"}


@pytest.fixture(autouse=True)
def upstream_calls(monkeypatch) -> list[requests.PreparedRequest]:
    """Every HTTP request sent during the test (to the simulator only; nothing else exists)."""
    sent = []
    real_send = requests.adapters.HTTPAdapter.send

    def record(adapter, request, *args, **kwargs):
        assert request.url.startswith("http://127.0.0.1:"), f"unexpected call to {request.url}"
        sent.append(request)
        return real_send(adapter, request, *args, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", record)
    return sent


@pytest.fixture
def staff_user(django_user_model):
    """A staff member, so that the admin entry points render rather than redirect."""
    return django_user_model.objects.create_user("sigrid", password="pw-sigrid-123", is_staff=True)


def _allowed_methods(client: Client, endpoint: Endpoint) -> set[str]:
    """The methods a view accepts: a class-based view lists them; a function view tells in
    the ``Allow`` of its 405 to a TRACE (which passes the CSRF check and no view allows)."""
    view = resolve(endpoint.path).func
    if hasattr(view, "view_class"):
        # OPTIONS, which every class-based view answers, changes nothing.
        names = set(view.view_class.http_method_names) - {"options"}
        return {name.upper() for name in names if hasattr(view.view_class, name)}
    response = client.generic("TRACE", endpoint.path)
    assert response.status_code == 405, (
        f"{endpoint}: declare the HTTP methods the view accepts (e.g. @require_POST)"
    )
    return {method.strip() for method in response["Allow"].split(",")}


def _assert_frame_headers(response, *, signed_in: bool) -> None:
    """Stricter than a page in all but one thing: our own pages (only) may frame it."""
    directives = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert {"default-src 'none'", "sandbox", "frame-ancestors 'self'"} <= set(directives)
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    if signed_in:
        assert "no-store" in response["Cache-Control"]


def _assert_security_headers(response, *, signed_in: bool) -> None:
    # Signed out, the frame's URL is a redirect to the sign-in page, with a page's headers;
    # so is the 404 of a person not connected to the URL's company.
    match = response.wsgi_request.resolver_match
    if signed_in and match and match.route in FRAMED_BY_US and response.status_code != 404:
        _assert_frame_headers(response, signed_in=signed_in)
        return
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Request-ID"]
    if signed_in:
        assert "no-store" in response["Cache-Control"]
    if response["Content-Type"].startswith("text/html") and b"<script" in response.content:
        _assert_page_obeys_csp(response, directives)


def _assert_page_obeys_csp(response, directives: dict[str, str]) -> None:
    """A rendered page: the nonce is in the header, and nothing inline goes without it."""
    page = response.content.decode()
    match = re.search(r"'nonce-([^']+)'", directives["script-src"])
    assert match, "the page's scripts get no nonce"
    nonce = match[1]
    assert f"'nonce-{nonce}'" in directives["style-src"]
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", page):
        if "src=" not in tag:
            assert f'nonce="{nonce}"' in tag, f"inline {tag} lacks the nonce"
    assert not re.search(r"<[^>]+\sstyle=", page), "a style attribute: CSP blocks it"
    assert not re.search(r"<[^>]+\son[a-z]+=", page), "an inline event handler: CSP blocks it"


def test_the_urlconf_is_enumerated():
    routes = {e.route for e in ENDPOINTS}
    assert {"login/", "healthz", "readyz", "c/<str:company>/connection/disconnect/"} <= routes


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_signed_out_get_carries_the_security_headers(client, endpoint, upstream_calls):
    response = client.get(endpoint.path)
    _assert_security_headers(response, signed_in=False)
    assert response.status_code in {200, 302, 405}
    assert upstream_calls == []


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_signed_in_get_carries_the_security_headers(client_signed_in, endpoint, upstream_calls):
    response = client_signed_in.get(endpoint.path)
    _assert_security_headers(response, signed_in=True)
    assert response.status_code < 500
    assert upstream_calls == []  # not connected: nothing may go to Weblink


def test_a_page_gives_its_scripts_the_nonce_of_its_header(client):
    response = client.get(reverse("login"))
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])[1]
    assert f'nonce="{nonce}"' in response.content.decode()  # {% htmx_script %}
    assert (
        client.get(reverse("login"))["Content-Security-Policy"]
        != (response["Content-Security-Policy"])
    )  # a fresh nonce per response


@pytest.mark.parametrize("path", ADMIN_ENTRY_POINTS)
def test_admin_entry_points_carry_the_security_headers(client, staff_user, path):
    _assert_security_headers(client.get(path), signed_in=False)
    client.force_login(staff_user)
    _assert_security_headers(client.get(path), signed_in=True)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_state_changing_views_refuse_get_and_post_without_csrf(user, endpoint, upstream_calls):
    _connect_without_calls(user)  # else a company's pages are a 404 before any check
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    allowed = _allowed_methods(client, endpoint)
    if "POST" in allowed:
        response = client.post(endpoint.path, {"next": "/"})
        assert response.status_code == 403, f"{endpoint} accepted a POST without CSRF token"
    if allowed == {"POST"}:
        assert client.get(endpoint.path).status_code == 405
    for method in ("PUT", "PATCH", "DELETE"):
        if method not in allowed:
            continue
        assert getattr(client, method.lower())(endpoint.path).status_code == 403
    assert upstream_calls == []


def test_some_views_are_post_only(user):
    """Guards the test above: the enumeration finds the POST-only views."""
    _connect_without_calls(user)
    client = Client()
    client.force_login(user)
    post_only = {e.route for e in ENDPOINTS if _allowed_methods(client, e) == {"POST"}}
    assert {"c/<str:company>/connection/test/", "logout/"} <= post_only


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example", "/\\evil.example", "http:/evil.example"]
)
def test_sign_in_never_redirects_off_the_site(client, user, target):
    response = client.post(
        reverse("login") + "?next=" + target,
        {"username": "anna", "password": "anna-password-123", "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    # Signed in already, the sign-in page redirects too, and just as safely.
    again = client.get(reverse("login"), {"next": target})
    assert again["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_sign_in_follows_a_next_on_the_site(client, user):
    target = reverse("connection")
    response = client.post(
        reverse("login"), {"username": "anna", "password": "anna-password-123", "next": target}
    )
    assert response["Location"] == target


@override_settings(
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
    SESSION_COOKIE_NAME="__Host-sessionid",
    CSRF_COOKIE_NAME="__Host-csrftoken",
)
def test_cookie_flags_with_production_settings(client, user):
    client.get(reverse("login"))
    csrf = client.cookies["__Host-csrftoken"]
    client.post(
        reverse("login"),
        {"username": "anna", "password": "anna-password-123", "csrfmiddlewaretoken": csrf.value},
    )
    session = client.cookies["__Host-sessionid"]
    for cookie in (csrf, session):
        # What the __Host- prefix demands, and what we want besides.
        assert cookie["secure"] is True
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
    assert int(session["max-age"]) == settings.SESSION_COOKIE_AGE


def _production_settings(**extra_env: str) -> dict:
    """Settings as production loads them: a fresh process with only the production variables."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "reports.example.com",
        "WEBLINK_TOKEN_KEYS": os.environ["WEBLINK_TOKEN_KEYS"],
        **extra_env,
    }
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "SESSION_ENGINE",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
        "X_FRAME_OPTIONS",
        "STORAGES",
        "SECURE_CSP",
    ]
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}, default=str))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_production_defaults_are_secure():
    values = _production_settings()
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert values["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SECURE_PROXY_SSL_HEADER"] is None  # opt-in: trusting it unasked is unsafe
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert "'unsafe-inline'" not in json.dumps(values["SECURE_CSP"])


def test_behind_a_tls_proxy_the_forwarded_proto_is_trusted_only_when_asked():
    values = _production_settings(SECURE_PROXY_SSL_HEADER="true", SECURE_SSL_REDIRECT="true")
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_SSL_REDIRECT"] is True


def test_check_deploy_passes_with_only_the_production_variables():
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "false",
        "SECRET_KEY": "k" * 10 + "-production-like-secret-key-of-fifty-chars-or-more",
        "ALLOWED_HOSTS": "reports.example.com",
        "WEBLINK_TOKEN_KEYS": os.environ["WEBLINK_TOKEN_KEYS"],
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@override_settings(SESSION_ABSOLUTE_AGE=3600)
def test_a_session_ends_at_its_absolute_age_however_active(client_signed_in):
    from reports_admin.web.middleware import SIGNED_IN_AT

    assert client_signed_in.get(reverse("connection")).status_code == 200
    session = client_signed_in.session
    session[SIGNED_IN_AT] -= 3601
    session.save()
    response = client_signed_in.get(reverse("connection"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client_signed_in.get(reverse("connection")).status_code == 302


@override_settings(SESSION_IDLE_AGE=600)
def test_a_session_ends_after_a_while_without_activity(client_signed_in):
    from reports_admin.web.middleware import LAST_SEEN_AT

    assert client_signed_in.get(reverse("connection")).status_code == 200
    session = client_signed_in.session
    session[LAST_SEEN_AT] -= 601
    session.save()
    response = client_signed_in.get(reverse("connection"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_activity_is_noted_at_most_once_a_minute(client_signed_in):
    from reports_admin.web.middleware import LAST_SEEN_AT

    client_signed_in.get(reverse("connection"))
    first = client_signed_in.session[LAST_SEEN_AT]
    session = client_signed_in.session
    session[LAST_SEEN_AT] = first - 30
    session.save()
    client_signed_in.get(reverse("connection"))
    assert client_signed_in.session[LAST_SEEN_AT] == first - 30  # not written again yet
    session = client_signed_in.session
    session[LAST_SEEN_AT] = first - 90
    session.save()
    client_signed_in.get(reverse("connection"))
    assert client_signed_in.session[LAST_SEEN_AT] >= first  # noted, and the cookie renewed


def test_a_view_setting_its_own_cache_control_keeps_it(client_signed_in):
    response = client_signed_in.get("/healthz")
    assert response["Cache-Control"].startswith("max-age=0")  # never_cache's, not ours


# --- Upstream: ids and tokens --------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS_WITH_PARAMETERS, ids=str)
@pytest.mark.parametrize("injected", INJECTED_IDS)
def test_path_injection_ids_never_reach_the_upstream(
    client_connected, simulator, endpoint, injected
):
    before = len(simulator.requests)
    path = endpoint.with_parameters(injected)
    for response in (client_connected.get(path), client_connected.post(path)):
        assert response.status_code < 500
    for request in simulator.requests[before:]:
        segments = request.path.lower().split("/")
        assert ".." not in segments and "-1" not in segments and "%2f" not in request.path.lower()


def test_each_persons_calls_carry_their_own_token(
    client, user_connected, django_user_model, simulator, upstream_calls
):
    other = django_user_model.objects.create_user("bodil", password="bodil-password-123")
    connection_save_token(user=other, company="demo", token=simulator.issue_token("admin"))
    tokens = {
        user_connected: user_connected.weblink_connections.get().access_token,
        other: other.weblink_connections.get().access_token,
    }
    assert len(set(tokens.values())) == 2
    clients = {}
    for person in tokens:
        clients[person] = Client()
        clients[person].force_login(person)

    get_paths = [e.path for e in ENDPOINTS]
    calls = 0
    for path in get_paths:
        for person, person_client in clients.items():  # in turn, on the same thread
            upstream_calls.clear()
            person_client.get(path)
            person_client.post(reverse("connection_test", args=["demo"]))
            calls += len(upstream_calls)
            for request in upstream_calls:
                assert request.headers.get("Authorization") == f"Bearer {tokens[person]}"
    assert calls > 0
