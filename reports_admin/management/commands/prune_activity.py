from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reports_admin.activity.services import activity_prune


class Command(BaseCommand):
    help = (
        "Deletes activity entries older than ACTIVITY_RETENTION_DAYS (or --days). "
        "Run it daily: the entries hold recipients' addresses."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Keep this many days (default: ACTIVITY_RETENTION_DAYS, "
            f"now {settings.ACTIVITY_RETENTION_DAYS}).",
        )

    def handle(self, *args: object, days: int | None = None, **options: object) -> None:
        if days is not None and days < 0:
            raise CommandError("--days cannot be negative.")
        deleted = activity_prune(days=days)
        self.stdout.write(f"Deleted {deleted} activity entries.")
