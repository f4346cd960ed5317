"""The connection page against the simulator over HTTP: sign in, paste a token, test,
disconnect, expiry and refresh; and that no token or password is ever shown or logged."""

import logging

import pytest
from django.urls import reverse

from reports_admin.connection.calls import weblink_call
from reports_admin.connection.selectors import connection_get
from reports_admin.models import WeblinkConnection
from reports_admin.weblink import TokenRejected

pytestmark = pytest.mark.django_db

SIGN_IN = {
    "signin-company": "demo",
    "signin-username": "admin",
    "signin-password": "demo",
    "signin-tfa": "",
}


def sign_in(client, **changes):
    return client.post(reverse("connection_sign_in"), {**SIGN_IN, **changes})


def test_sign_in_with_weblink_connects(client_signed_in, user, simulator, weblink_url):
    response = sign_in(client_signed_in)
    assert response.status_code == 302
    connection = connection_get(user=user, company="demo")
    assert connection.state == WeblinkConnection.State.CONNECTED
    assert connection.company == "demo"
    assert connection.username == "admin"
    assert simulator.tokens.user_for(connection.access_token) == "admin"
    page = client_signed_in.get(reverse("connection")).content.decode()
    assert connection.fingerprint in page
    assert "Connected" in page


def test_wrong_password_is_said_on_the_form_and_not_rendered_back(
    client_signed_in, user, simulator, weblink_url
):
    response = sign_in(client_signed_in, **{"signin-password": "not-the-password-xyz"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Wrong user name or password." in page
    assert "not-the-password-xyz" not in page
    assert 'value="demo"' in page  # the company typed is kept
    assert connection_get(user=user, company="demo") is None


def test_two_factor_needed_then_accepted(client_signed_in, user, simulator, weblink_url):
    response = sign_in(client_signed_in, **{"signin-username": "secure"})
    assert response.status_code == 400
    form = response.context["sign_in_form"]
    assert form.errors["tfa"] == ["Enter the current two-factor code."]

    response = sign_in(client_signed_in, **{"signin-username": "secure", "signin-tfa": "123456"})
    assert response.status_code == 302
    assert connection_get(user=user, company="demo").username == "secure"


def test_pasted_token_is_verified_before_it_is_saved(
    client_signed_in, user, simulator, weblink_url
):
    good = simulator.issue_token()
    bad = "not-a-token-at-all"
    response = client_signed_in.post(
        reverse("connection_token"), {"token-company": "demo", "token-token": bad}
    )
    assert response.status_code == 400
    assert "Weblink did not accept this token." in response.content.decode()
    assert bad not in response.content.decode()
    assert connection_get(user=user, company="demo") is None

    response = client_signed_in.post(
        reverse("connection_token"), {"token-company": "demo", "token-token": good}
    )
    assert response.status_code == 302
    assert connection_get(user=user, company="demo").access_token == good


def test_a_company_typed_with_a_token_is_shown_unverified(
    client_signed_in, user, simulator, weblink_url
):
    data = {"token-company": "acme", "token-token": simulator.issue_token()}
    client_signed_in.post(reverse("connection_token"), data)
    assert connection_get(user=user, company="acme").company_verified is False
    page = client_signed_in.get(reverse("connection")).content.decode()
    assert "as typed, not verified" in page

    # Signing in adds a second company, verified; the first stays as it was.
    sign_in(client_signed_in)
    assert connection_get(user=user, company="demo").company_verified is True
    assert connection_get(user=user, company="acme").company_verified is False
    page = client_signed_in.get(reverse("connection")).content.decode()
    assert page.count("as typed, not verified") == 1
    assert "Your 2 connections" in page


def test_test_connection_and_disconnect(client_connected, user, simulator, weblink_url):
    response = client_connected.post(reverse("connection_test", args=["demo"]), follow=True)
    assert "The connection to demo works" in response.content.decode()

    response = client_connected.post(reverse("connection_disconnect", args=["demo"]), follow=True)
    assert "Disconnected from demo" in response.content.decode()
    assert connection_get(user=user, company="demo") is None
    assert not WeblinkConnection.objects.exists()


def test_expired_token_is_refreshed_once(user_connected, simulator, weblink_url):
    old = connection_get(user=user_connected, company="demo").access_token
    simulator.tokens.expire(old)
    types = weblink_call(
        connection=connection_get(user=user_connected, company="demo"),
        operation=lambda client: client.report_types(),
    )
    assert types
    connection = connection_get(user=user_connected, company="demo")
    assert connection.access_token != old
    assert connection.state == WeblinkConnection.State.CONNECTED


def test_expiry_without_refresh_marks_the_connection_and_shows_a_banner(
    client_connected, user_connected, simulator, weblink_url
):
    simulator.faults.tokens_expired = True
    with pytest.raises(TokenRejected):
        weblink_call(
            connection=connection_get(user=user_connected, company="demo"),
            operation=lambda client: client.report_types(),
        )
    connection = connection_get(user=user_connected, company="demo")
    assert connection.state == WeblinkConnection.State.EXPIRED
    page = client_connected.get(reverse("reports:types", args=["demo"])).content.decode()
    assert "Your Weblink connection has expired" in page
    assert reverse("connection") in page

    simulator.faults.tokens_expired = False
    assert sign_in(client_connected).status_code == 302
    assert (
        connection_get(user=user_connected, company="demo").state
        == WeblinkConnection.State.CONNECTED
    )


def test_token_and_password_never_in_pages_or_logs(
    client_signed_in, user, simulator, weblink_url, caplog
):
    caplog.set_level(logging.DEBUG)
    sign_in(client_signed_in, **{"signin-password": "typed-secret-password-42"})
    sign_in(client_signed_in)
    token = connection_get(user=user, company="demo").access_token
    pages = [reverse("connection")] + [
        reverse(name, args=["demo"]) for name in ("reports:list", "reports:create", "reports:types")
    ]
    for page in pages:
        assert token not in client_signed_in.get(page).content.decode()
    assert token not in caplog.text
    assert "typed-secret-password-42" not in caplog.text


def test_dashboard_sign_in_is_throttled(client, django_user_model, settings):
    settings.AXES_FAILURE_LIMIT = 3
    django_user_model.objects.create_user("ann", password="right-password-123")
    for _ in range(3):
        client.post(reverse("login"), {"username": "ann", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "ann", "password": "right-password-123"})
    assert response.status_code == 429
    assert "Try again in" in response.content.decode()


def test_pages_need_a_signed_in_person(client):
    response = client.get(reverse("reports:list", args=["demo"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_next_only_leads_inside_the_site(client, django_user_model):
    django_user_model.objects.create_user("bo", password="right-password-123")
    response = client.post(
        reverse("login") + "?next=https://evil.example/",
        {"username": "bo", "password": "right-password-123", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


@pytest.mark.parametrize(
    ("forwarded_for", "locked_out"),
    [
        ("203.0.113.5", True),  # the same person again
        ("198.51.100.7", False),  # someone else behind the same proxy
        ("203.0.113.5, 198.51.100.7", False),  # the client cannot pick its address
    ],
)
def test_behind_a_proxy_sign_ins_are_throttled_per_client_address(
    client, django_user_model, settings, forwarded_for, locked_out
):
    settings.AXES_FAILURE_LIMIT = 2
    settings.TRUSTED_PROXY_COUNT = 1
    django_user_model.objects.create_user("ann", password="right-password-123")
    for _ in range(2):
        client.post(
            reverse("login"),
            {"username": "ann", "password": "wrong"},
            headers={"X-Forwarded-For": "203.0.113.5"},
        )
    response = client.post(
        reverse("login"),
        {"username": "ann", "password": "right-password-123"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    assert (response.status_code == 429) is locked_out


def test_a_wrong_two_factor_code_has_its_own_message_and_the_cleared_password_is_said(
    client_signed_in, user, simulator, weblink_url
):
    response = sign_in(client_signed_in, **{"signin-username": "secure", "signin-tfa": "999999"})
    assert response.status_code == 400
    form = response.context["sign_in_form"]
    assert form.errors["tfa"] == [
        "Weblink did not accept this code: it may be wrong or expired. "
        "Enter the code your app shows now."
    ]
    page = response.content.decode()
    assert "The password box was cleared: enter it again." in page
    # The page is the connection page: no banner sending the person to it.
    assert "Connect to Weblink to manage your reports." not in page
    assert connection_get(user=user, company="demo") is None


def test_disconnect_asks_first(client_connected, user):
    response = client_connected.get(reverse("connection_disconnect", args=["demo"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Disconnect from demo?" in page
    assert f'action="{reverse("connection_disconnect", args=["demo"])}"' in page
    assert connection_get(user=user, company="demo") is not None
    connection_page = client_connected.get(reverse("connection")).content.decode()
    assert f'href="{reverse("connection_disconnect", args=["demo"])}"' in connection_page


def test_a_failed_test_shows_in_the_state(client_connected, user, simulator):
    simulator.faults.configure({"status": 500, "status_path_prefix": "/company/report/type"})
    response = client_connected.post(reverse("connection_test", args=["demo"]))
    page = response.content.decode()
    assert "Test failed" in page
    assert "Weblink is not available right now (status 500)." in page
    state = page[page.index(">State</dt>") : page.index(">Company</dt>")]
    assert "Connected" not in state


def test_a_refused_token_on_test_shows_needs_reconnecting(client_connected, user, simulator):
    connection = connection_get(user=user, company="demo")
    simulator.tokens.expire(connection.access_token)
    connection.refresh_token = ""
    connection.save()
    response = client_connected.post(reverse("connection_test", args=["demo"]), follow=True)
    assert "Needs reconnecting" in response.content.decode()


def test_form_pages_offer_connect_not_retry_when_not_connected(client_connected, simulator):
    simulator.faults.tokens_expired = True
    for name in ("reports:create", "reports:run_download"):
        page = client_connected.get(reverse(name, args=["demo"])).content.decode()
        assert f'href="{reverse("connection")}">Connect</a>' in page
        assert ">Retry</a>" not in page
