"""`python manage.py weblink_simulator --addrport 127.0.0.1:8001`: serve the simulator."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from weblink_sim import seed
from weblink_sim.server import Simulator


class Command(BaseCommand):
    help = "Serve the Weblink API simulator in the foreground until Ctrl-C."
    # The simulator needs none of the dashboard's configuration (such as token keys).
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--addrport",
            default="127.0.0.1:8001",
            help="host:port to listen on (default 127.0.0.1:8001; port 0 picks a free one)",
        )
        parser.add_argument(
            "--state-file",
            type=Path,
            help="a JSON file that keeps the companies' reports and the tokens across restarts "
            "(read at start when it exists, written after every change)",
        )

    def handle(self, *args, addrport: str, state_file: Path | None, **options) -> None:
        host, _, port = addrport.rpartition(":")
        if not host or not port.isdigit():
            raise CommandError("--addrport must look like 127.0.0.1:8001")
        try:
            simulator = Simulator(state_file=state_file)
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CommandError(f"Cannot read the state file {state_file}: {error!r}") from error
        try:
            url = simulator.start(host=host, port=int(port))
        except OSError as error:
            raise CommandError(f"Cannot listen on {addrport}: {error}") from error
        stopped = threading.Event()
        # `make run` stops it with SIGTERM; a person with Ctrl-C.
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        self.stdout.write(f"Weblink simulator at {url}")
        for company in seed.COMPANIES:
            self.stdout.write(_sign_ins(company))
        self.stdout.write("Press Ctrl-C to stop.")
        try:
            stopped.wait()
        except KeyboardInterrupt:
            pass
        finally:
            simulator.stop()
            simulator.save()
            self.stdout.write("Weblink simulator stopped.")


def _sign_ins(company: seed.CompanySeed) -> str:
    """One line naming a company's accounts, e.g. "Sign-in: company demo, user admin,
    password demo; user secure, password demo, two-factor code 123456"."""
    accounts = "; ".join(
        f"user {username}, password {account.password}"
        + (f", two-factor code {account.tfa}" if account.tfa else "")
        for username, account in company.accounts.items()
    )
    return f"Sign-in: company {company.name}, {accounts}"
