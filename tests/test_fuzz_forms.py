"""Thousands of malformed submissions (PER_FORM to each form that takes input): none is
answered with a 500, and none makes a write reach Weblink (issue 17, item 12).

A generator with a fixed seed, so a failure can be replayed: each submission starts from a
valid one, garbles, drops or repeats some of its fields, adds unknown ones, and always breaks
the form in one way it must refuse (a required field empty, a value outside its choices).
Forms whose only input is the address (delete) or a switch (active) are not here: any post to
them is meant to write.
"""

from __future__ import annotations

import random
import time

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SEED = 17
PER_FORM = 300
PASS_SECONDS = 60

GARBAGE = [
    "",
    " ",
    "\x00",
    "\x1b[31m",
    "\r\nX-Injected: 1",
    "a" * 10_000,
    "😀" * 50,
    "<script>alert(1)</script>",
    '<span hx-post="/connection/disconnect/" hx-trigger="load">',
    "1e309",
    "-1",
    "99999999999999999999999",
    "０１２",
    "\u202e",
    "%00",
    "../../etc/passwd",
    "None",
    "null",
    "[]",
    "{}",
    "day\x00",
    "tökén",
]


def garbage(rng: random.Random) -> str:
    if rng.random() < 0.3:
        length = rng.randint(1, 40)
        return "".join(chr(rng.randint(1, 0x2FFF)) for _ in range(length))
    return rng.choice(GARBAGE)


def not_in(choices: list[str]):
    """A breaker: a value that is none of ``choices``."""

    def value(rng: random.Random) -> str:
        while (candidate := garbage(rng)) in choices:
            pass
        return candidate

    return value


def submissions(rng: random.Random, valid: dict, breakers: dict, count: int):
    """``count`` malformed versions of ``valid``, each broken by one of ``breakers``
    (field name: a function giving a value that field must refuse; None drops the field)."""
    for _ in range(count):
        data: dict[str, list[str]] = {}
        for name, value in valid.items():
            roll = rng.random()
            if roll < 0.15:
                continue  # dropped
            if roll < 0.45:
                data[name] = [garbage(rng)]
            elif roll < 0.55:
                data[name] = [value, garbage(rng)]
            else:
                data[name] = [value]
        for _extra in range(rng.randint(0, 2)):
            data[garbage(rng)[:30] or "x"] = [garbage(rng)]
        name, breaker = rng.choice(list(breakers.items()))
        if breaker is None:
            data.pop(name, None)
        else:
            data[name] = [breaker(rng)]
        yield data


def report_form(report_type: str = "1") -> dict:
    return {
        "name": "Fuzzed",
        "description": "",
        "interval": "day",
        "active": "on",
        "report_type": report_type,
        "arg-format": "csv",
        "arg-email": "lead@example.com",
        "arg-queue_id": "1104",
        "arg-option": "missedCalls",
    }


REPORT_BREAKERS = {
    "name": None,
    "interval": not_in(["hour", "day", "week", "month"]),
    "arg-format": not_in(["csv", "xlsx", "pdf", "html"]),
    "arg-email": lambda rng: rng.choice(["not an address", "a@", "@b", "\x00@x.se"]),
}


def forms(report_id: str) -> dict[str, tuple[str, dict, dict]]:
    """By name: (url, a valid submission, its breakers) for every form that takes input."""
    return dict(zip(FORM_NAMES, _forms(report_id), strict=True))


FORM_NAMES = [
    "sign-in",
    "token",
    "create",
    "edit",
    "run-download",
    "download",
    "send",
    "password",
]


def _forms(report_id: str) -> list[tuple[str, dict, dict]]:
    return [
        (
            reverse("connection_sign_in"),
            {
                "signin-company": "demo",
                "signin-username": "admin",
                "signin-password": "demo",
                "signin-tfa": "",
            },
            {"signin-company": None, "signin-username": None, "signin-password": None},
        ),
        (
            reverse("connection_token"),
            {"token-company": "demo", "token-token": "abc"},
            {
                "token-token": lambda rng: rng.choice(["", "a b", "tökén", "\x00", "✓"]),
                "token-company": None,
            },
        ),
        (reverse("reports:create", args=["demo"]), report_form(), REPORT_BREAKERS),
        (reverse("reports:edit", args=["demo", report_id]), report_form(), REPORT_BREAKERS),
        (
            reverse("reports:run_download", args=["demo"]),
            report_form(),
            {"interval": REPORT_BREAKERS["interval"], "arg-format": REPORT_BREAKERS["arg-format"]},
        ),
        (
            reverse("reports:download", args=["demo", report_id]),
            {"format": "csv", "next": "/c/demo/reports/"},
            {"format": not_in(["csv", "xlsx", "pdf", "html"])},
        ),
        (
            reverse("reports:send", args=["demo", report_id]),
            {"key": "x", "next": "/c/demo/reports/"},
            {"key": lambda rng: garbage(rng)},
        ),
        (
            reverse("password_change"),
            {
                "old_password": "password-123",
                "new_password1": "A-new-long-password-42",
                "new_password2": "A-new-long-password-42",
            },
            {"old_password": lambda rng: garbage(rng) + "wrong"},
        ),
    ]


def writes(simulator) -> list[tuple[str, str]]:
    """Requests that change something at Weblink, or sign in, or send."""
    return [
        (r.method, r.path)
        for r in simulator.requests
        if r.method != "GET" or r.path.endswith("/send")
    ]


@pytest.mark.parametrize("form", FORM_NAMES)
def test_malformed_submissions_never_give_a_500_nor_reach_weblink(
    client_connected, simulator, user, form
):
    rng = random.Random(f"{SEED}-{form}")
    report = simulator.state.reports[0]
    reports_before = len(simulator.state.reports)
    user.set_password("password-123")
    user.save()
    client_connected.force_login(user)
    # Read once, as a person would: the snapshot and metadata are then in the cache.
    client_connected.get(reverse("reports:edit", args=["demo", report.id]))
    simulator.log.clear()
    url, valid, breakers = forms(report.id)[form]

    started = time.monotonic()
    for data in submissions(rng, valid, breakers, PER_FORM):
        response = client_connected.post(url, data)
        assert response.status_code < 500, data
    assert time.monotonic() - started < PASS_SECONDS

    assert writes(simulator) == []
    assert len(simulator.state.reports) == reports_before
    assert simulator.state.sent == []
