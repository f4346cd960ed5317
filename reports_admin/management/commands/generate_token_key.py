from django.core.management.base import BaseCommand

from reports_admin.connection.token_keys import generate_key_entry


class Command(BaseCommand):
    help = "Prints a new id:key entry to put first in WEBLINK_TOKEN_KEYS."
    # This command makes the key whose absence the checks report: it must run without one.
    requires_system_checks = []

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(generate_key_entry())
        # The hint goes to stderr so that `$(manage.py generate_token_key)` captures the entry only.
        self.stderr.write(
            "Put this entry first in WEBLINK_TOKEN_KEYS, keep the old ones after it, "
            "then run `manage.py rotate_token_keys`.",
            style_func=self.style.NOTICE,
        )
