"""Connecting to Weblink is throttled: sign-in and token attempts per person and per company
and user name, counted in the shared cache and recorded in the activity log (issue 17,
item 2)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports_admin.models import Activity

pytestmark = pytest.mark.django_db


def sign_in(client, **changes):
    data = {
        "signin-company": "demo",
        "signin-username": "admin",
        "signin-password": "wrong-password",
        "signin-tfa": "",
    }
    return client.post(reverse("connection_sign_in"), {**data, **changes})


def sign_ins_upstream(simulator) -> int:
    return sum(r.path == "/oauth2/user-credentials" for r in simulator.requests)


def test_the_sixth_sign_in_in_a_minute_waits_and_is_not_forwarded(
    client_signed_in, simulator, weblink_url
):
    for _attempt in range(5):
        assert sign_in(client_signed_in).status_code == 400
    assert sign_ins_upstream(simulator) == 5
    response = sign_in(client_signed_in, **{"signin-password": "demo"})
    assert response.status_code == 429
    assert "Too many attempts to connect. Wait" in response.content.decode()
    assert sign_ins_upstream(simulator) == 5
    outcomes = list(Activity.objects.order_by("id").values_list("outcome", flat=True))
    assert len(outcomes) == 6
    assert outcomes[-1].startswith("Too many attempts to connect.")


def test_a_company_and_user_name_are_limited_whoever_tries_them(
    client, django_user_model, simulator, weblink_url
):
    for number in range(6):
        person = django_user_model.objects.create_user(f"person{number}", password="pw-123456")
        client.force_login(person)
        response = sign_in(client)
        assert response.status_code == (429 if number == 5 else 400)
    # Another user name of the same company is still tried.
    assert sign_in(client, **{"signin-username": "someone"}).status_code == 400
    assert sign_ins_upstream(simulator) == 6


def test_pasted_tokens_are_limited_per_person(client_signed_in, simulator, weblink_url):
    data = {"token-company": "demo", "token-token": "not-a-real-token"}
    for _attempt in range(5):
        assert client_signed_in.post(reverse("connection_token"), data).status_code == 400
    response = client_signed_in.post(reverse("connection_token"), data)
    assert response.status_code == 429
    assert "Too many attempts to connect" in response.content.decode()
    assert sum(r.path == "/company/report/type" for r in simulator.requests) == 5
