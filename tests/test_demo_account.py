"""demo_account: refused unless DEBUG or --demo; never a superuser with DEBUG off (issue 17,
item 8)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from reports_admin.connection.selectors import connection_get

pytestmark = pytest.mark.django_db


def test_refused_with_debug_off_and_no_flag(settings, weblink_url):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refused"):
        call_command("demo_account")
    assert not get_user_model().objects.filter(username="demo").exists()


def test_with_the_flag_and_debug_off_it_is_an_ordinary_account(settings, weblink_url):
    settings.DEBUG = False
    call_command("demo_account", "--demo")
    demo = get_user_model().objects.get(username="demo")
    assert not demo.is_superuser
    assert not demo.is_staff
    assert demo.check_password("demo")
    assert connection_get(user=demo, company="demo") is not None


def test_with_debug_on_it_is_a_superuser(settings, weblink_url):
    settings.DEBUG = True
    call_command("demo_account")
    assert get_user_model().objects.get(username="demo").is_superuser
