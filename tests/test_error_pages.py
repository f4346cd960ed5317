"""With DEBUG off, an exception while a token is in scope shows our error page and leaks
nothing: not in the page, not in the logs."""

import logging

import pytest
from django.test import Client

from reports_admin.connection.selectors import connection_get

pytestmark = pytest.mark.django_db


@pytest.mark.urls("tests.support.failing_urls")
def test_server_error_page_hides_the_token(user_connected, settings, caplog):
    settings.DEBUG = False
    caplog.set_level(logging.DEBUG)
    token = connection_get(user=user_connected, company="demo").access_token
    client = Client(raise_request_exception=False)
    client.force_login(user_connected)
    response = client.get("/fail/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert token not in page
    assert "RuntimeError" not in page
    assert "something broke" in caplog.text  # the error is logged...
    assert token not in caplog.text  # ...without the token


def test_not_found_page(client_signed_in, settings):
    settings.DEBUG = False
    response = client_signed_in.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
