"""A user name guessed from many addresses is locked, at its own, higher limit, and staff can
unlock it with axes_reset_username (issue 17, item 11)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "right-password-123"


def sign_in(client, address: str, password: str):
    return client.post(
        reverse("login"), {"username": "staffer", "password": password}, REMOTE_ADDR=address
    )


def test_guessing_from_many_addresses_locks_the_user_name(client, django_user_model, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_USERNAME_FAILURE_LIMIT = 13
    django_user_model.objects.create_user("staffer", password=PASSWORD, is_staff=True)
    # Four guesses from each of three addresses: no address reaches its own limit of 5.
    for number in range(3):
        for _guess in range(4):
            assert sign_in(client, f"203.0.113.{number}", "wrong").status_code == 200
    # Twelve failures: still answered as a wrong password; the thirteenth locks the name.
    assert sign_in(client, "203.0.113.50", "wrong").status_code == 200
    # Now the right password from a fresh address is refused too.
    response = sign_in(client, "198.51.100.7", PASSWORD)
    assert response.status_code == 429
    assert "Try again in" in response.content.decode()

    call_command("axes_reset_username", "staffer")
    response = sign_in(client, "198.51.100.7", PASSWORD)
    assert response.status_code == 302


def test_the_user_name_limit_is_higher_than_the_address_limit(client, django_user_model):
    from django.conf import settings

    assert settings.AXES_USERNAME_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT
    django_user_model.objects.create_user("staffer", password=PASSWORD)
    # A few failures from elsewhere do not lock the person out.
    for number in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, f"203.0.113.{number}", "wrong")
    assert sign_in(client, "198.51.100.7", PASSWORD).status_code == 302
