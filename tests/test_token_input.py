"""A pasted token goes into the Authorization header as is: one that is not printable ASCII
without spaces is refused at its field, before any call to Weblink; and the token and the
password never show on Django's error page."""

import secrets
import sys

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import SafeExceptionReporterFilter, technical_500_response
from requests.adapters import HTTPAdapter

from reports_admin.connection import views
from reports_admin.connection.selectors import connection_get
from reports_admin.web.middleware import CurrentConnection
from reports_admin.weblink import WeblinkClient

pytestmark = pytest.mark.django_db

MESSAGE = "An access token contains only unaccented letters, digits and punctuation, no spaces."


@pytest.mark.parametrize("token", ["tökén", "abc def", "✓-token"])
def test_a_token_that_is_not_printable_ascii_is_refused_at_its_field(
    client_signed_in, user, simulator, weblink_url, token
):
    response = client_signed_in.post(
        reverse("connection_token"), {"token-company": "demo", "token-token": token}
    )
    assert response.status_code == 400
    assert response.context["token_form"].errors["token"] == [MESSAGE]
    assert MESSAGE in response.content.decode()
    assert simulator.requests == []
    assert connection_get(user=user, company="demo") is None


def test_the_error_report_hides_the_pasted_token(user):
    request = RequestFactory().post(
        reverse("connection_token"), {"token-company": "demo", "token-token": "tökén"}
    )
    request.user = user
    request.session = {}
    request.weblink_connection = CurrentConnection(user)
    response = views.connection_save_token(request)
    assert response.status_code == 400
    assert set(request.sensitive_post_parameters) == {"signin-password", "token-token"}
    shown = SafeExceptionReporterFilter().get_post_parameters(request)
    assert shown["token-token"] == "********************"
    assert shown["token-company"] == "demo"


def test_the_error_report_hides_the_password(user):
    # No user name: the form is refused before any call to Weblink.
    request = RequestFactory().post(
        reverse("connection_sign_in"), {"signin-company": "demo", "signin-password": "secret"}
    )
    request.user = user
    request.session = {}
    request.weblink_connection = CurrentConnection(user)
    assert views.connection_sign_in(request).status_code == 400
    shown = SafeExceptionReporterFilter().get_post_parameters(request)
    assert shown["signin-password"] == "********************"


def _debug_page_of_a_failing_call(client) -> str:
    """Django's technical 500 page for an exception raised inside ``client``'s call; this
    frame, the first of the traceback, holds the client but not its token, as a view would."""
    try:
        client.report_types()
    except RuntimeError:
        exc_info = sys.exc_info()
    return technical_500_response(
        RequestFactory().get("/c/demo/reports/"), *exc_info
    ).content.decode()


def test_a_failure_inside_a_client_call_shows_no_token_on_the_debug_page(
    settings, monkeypatch, weblink_url
):
    settings.DEBUG = True

    def broken_send(self, request, **kwargs):
        raise RuntimeError("a bug deep inside the HTTP library")

    monkeypatch.setattr(HTTPAdapter, "send", broken_send)
    client = WeblinkClient(secrets.token_hex(16), base_url=weblink_url)
    page = _debug_page_of_a_failing_call(client)
    assert "a bug deep inside the HTTP library" in page  # the page did show the frames
    assert "Bearer" in page or "headers" in page  # the frames' variables are listed
    assert client._token not in page
