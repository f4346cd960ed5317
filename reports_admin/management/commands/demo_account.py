"""Creates the dashboard account demo / demo, connected to the simulator (for `make run`).

A known password is a door anyone can open, so it refuses unless DEBUG is on or ``--demo``
says this is a demonstration; with DEBUG off the account is an ordinary person, never a
superuser nor staff.
"""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reports_admin.connection.services import connection_sign_in
from reports_admin.weblink import UpstreamUnavailable, WeblinkError

# The simulator's companies the account connects to, one sign-in each; a second company is
# one more line.
DEMO_COMPANIES = [
    {"company": "demo", "username": "admin", "password": "demo"},
    # The simulator's second company, so that `make run` shows the company switcher.
    {"company": "hamnen", "username": "admin", "password": "hamnen"},
]


class Command(BaseCommand):
    help = (
        "Create the demo dashboard account (demo / demo) and connect it to the simulator. "
        "Refuses unless DEBUG is on or --demo is given; with DEBUG off it is not a superuser."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--wait",
            type=float,
            default=0,
            help="Seconds to keep trying while the simulator is starting.",
        )
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Create it although DEBUG is off (a demonstration, never real data).",
        )

    def handle(self, *args, wait: float, demo: bool, **options):
        if not (settings.DEBUG or demo):
            raise CommandError(
                "Refused: demo / demo is an account anyone can sign in to. Turn DEBUG on, "
                "or pass --demo for a demonstration that holds no real data."
            )
        user, created = get_user_model().objects.get_or_create(username="demo")
        # An administrator only on a developer's own machine.
        user.is_staff = user.is_superuser = settings.DEBUG
        if created:
            user.set_password("demo")
        user.save()
        deadline = time.monotonic() + wait
        for company in DEMO_COMPANIES:
            _connect(user, company, deadline)
        role = "a superuser" if user.is_superuser else "not staff"
        companies = ", ".join(company["company"] for company in DEMO_COMPANIES)
        self.stdout.write(
            f"Dashboard account demo / demo ({role}) is connected to {settings.WEBLINK_API_URL} "
            f"(companies: {companies})."
        )


def _connect(user, company: dict[str, str], deadline: float) -> None:
    """Signs ``user`` in to one company, trying until ``deadline`` while Weblink is starting."""
    while True:
        try:
            connection_sign_in(user=user, tfa="", **company)
            return
        except UpstreamUnavailable as error:
            if time.monotonic() >= deadline:
                raise CommandError(
                    f"Could not reach {settings.WEBLINK_API_URL}: {error}"
                ) from error
            time.sleep(0.2)  # the simulator is still starting
        except WeblinkError as error:
            raise CommandError(f"Could not connect the demo account: {error}") from error
