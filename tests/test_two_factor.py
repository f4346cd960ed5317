"""Two-factor sign-in to the dashboard: TOTP with recovery codes, optional per person, and
required for staff when REQUIRE_2FA_FOR_STAFF is set, /admin/ included (issue 17, item 11)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "pw-two-factor-123"


def code(device: TOTPDevice, step: int = 0) -> str:
    """The app's code, ``step`` periods ahead (a code is accepted once)."""
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + step)
    return f"{value:0{device.digits}d}"


@pytest.fixture
def person(django_user_model):
    return django_user_model.objects.create_user("tove", password=PASSWORD)


def sign_in(client, username: str = "tove"):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def turn_on(client) -> tuple[TOTPDevice, list[str]]:
    page = client.get(reverse("two_factor"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get()
    assert page.context["secret"] in page.content.decode()
    assert page.context["uri"].startswith("otpauth://totp/")
    response = client.post(reverse("two_factor"), {"action": "on", "code": code(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    return device, codes


def test_turned_on_a_sign_in_needs_a_code(client, person, settings):
    # No pause after a wrong code here; test_wrong_codes_are_throttled checks the pause.
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0
    sign_in(client)
    device, _codes = turn_on(client)
    client.post(reverse("logout"))

    assert sign_in(client).status_code == 302
    response = client.get(reverse("activity"))
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_verify")
    assert client.post(reverse("two_factor_verify"), {"code": "123456"}).status_code == 400
    assert client.get(reverse("activity")).status_code == 302  # still not in

    response = client.post(reverse("two_factor_verify"), {"code": code(device, step=1)})
    assert response.status_code == 302
    assert response["Location"] == reverse("activity")  # back where the person was going
    assert client.get(reverse("activity")).status_code == 200


def test_a_recovery_code_works_once(client, person):
    sign_in(client)
    _device, codes = turn_on(client)
    client.post(reverse("logout"))

    sign_in(client)
    assert client.post(reverse("two_factor_verify"), {"code": codes[0]}).status_code == 302
    assert client.get(reverse("activity")).status_code == 200
    client.post(reverse("logout"))

    sign_in(client)
    assert client.post(reverse("two_factor_verify"), {"code": codes[0]}).status_code == 400
    assert client.get(reverse("activity")).status_code == 302


def test_admin_asks_for_the_code_too(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password=PASSWORD)
    client.force_login(admin)
    device, _codes = turn_on(client)
    client.post(reverse("logout"))
    sign_in(client, "root")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_verify")
    client.post(reverse("two_factor_verify"), {"code": code(device, step=1)})
    assert client.get("/admin/").status_code == 200


def test_staff_must_set_it_up_when_required(client, django_user_model, settings):
    settings.REQUIRE_2FA_FOR_STAFF = True
    staff = django_user_model.objects.create_user("sten", password=PASSWORD, is_staff=True)
    client.force_login(staff)
    for url in (reverse("activity"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("two_factor")
    turn_on(client)
    assert client.get(reverse("activity")).status_code == 200


def test_optional_for_everyone_else(client, person, settings):
    settings.REQUIRE_2FA_FOR_STAFF = True
    sign_in(client)
    assert client.get(reverse("activity")).status_code == 200


def test_wrong_codes_are_throttled(client, person):
    sign_in(client)
    device, _codes = turn_on(client)
    client.post(reverse("logout"))
    sign_in(client)
    assert client.post(reverse("two_factor_verify"), {"code": "123456"}).status_code == 400
    # Right after a wrong code even the right one is refused: guessing is slowed down.
    assert client.post(reverse("two_factor_verify"), {"code": code(device, 1)}).status_code == 400
    assert client.get(reverse("activity")).status_code == 302


def test_turning_it_off_needs_a_code(client, person, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0
    sign_in(client)
    device, _codes = turn_on(client)
    assert client.post(reverse("two_factor"), {"action": "off", "code": "1"}).status_code == 400
    assert TOTPDevice.objects.filter(confirmed=True).exists()
    response = client.post(reverse("two_factor"), {"action": "off", "code": code(device, 1)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.exists()
