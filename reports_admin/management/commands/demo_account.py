"""Creates the dashboard account demo / demo, connected to the simulator (for `make run`)."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reports_admin.connection.services import connection_sign_in
from reports_admin.weblink import UpstreamUnavailable, WeblinkError

DEMO = {"company": "demo", "username": "admin", "password": "demo"}


class Command(BaseCommand):
    help = "Create the demo dashboard account (demo / demo) and connect it to the simulator."

    def add_arguments(self, parser):
        parser.add_argument(
            "--wait",
            type=float,
            default=0,
            help="Seconds to keep trying while the simulator is starting.",
        )

    def handle(self, *args, wait: float, **options):
        user, created = get_user_model().objects.get_or_create(
            username="demo", defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password("demo")
            user.save()
        deadline = time.monotonic() + wait
        while True:
            try:
                connection_sign_in(user=user, tfa="", **DEMO)
                break
            except UpstreamUnavailable as error:
                if time.monotonic() >= deadline:
                    raise CommandError(
                        f"Could not reach {settings.WEBLINK_API_URL}: {error}"
                    ) from error
                time.sleep(0.2)  # the simulator is still starting
            except WeblinkError as error:
                raise CommandError(f"Could not connect the demo account: {error}") from error
        self.stdout.write(
            f"Dashboard account demo / demo is connected to {settings.WEBLINK_API_URL}."
        )
