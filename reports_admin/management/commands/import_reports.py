"""Imports a report pack into a company: the same dry run and the same job as the dashboard's
import, run here, in this process, report by report (never retried)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports_admin.management.commands._connection import add_connection_arguments, connection_for
from reports_admin.reports import bulk_jobs, packs
from reports_admin.reports.models import BulkJob, BulkJobItem
from reports_admin.weblink import WeblinkError

Outcome = BulkJobItem.Outcome


class Command(BaseCommand):
    help = (
        "Import a report pack into a user's Weblink company: each report is created (paused, "
        "unless --active), created as a copy, skipped as identical, or cannot be imported."
    )

    def add_arguments(self, parser) -> None:
        add_connection_arguments(parser)
        parser.add_argument("file", help="The report pack (JSON).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Only show what would be done; write nothing."
        )
        parser.add_argument(
            "--active", action="store_true", help="Create the reports active, not paused."
        )

    def handle(self, *args: object, **options) -> None:
        connection = connection_for(options["user"], options["company"])
        try:
            with Path(options["file"]).open("rb") as file:
                data = file.read(packs.MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}.") from None
        try:
            pack = packs.pack_parse(data)
            job = packs.import_draft(owner=connection.user, connection=connection, pack=pack)
        except packs.PackError as error:
            raise CommandError(error.message) from None
        except WeblinkError as error:
            raise CommandError(str(error.message)) from None
        if options["dry_run"]:
            for item in job.items.all():
                self.stdout.write(f"{item.report_name}: {item.reason}")
            job.delete()  # a draft nobody can confirm
            return
        to_do = job.items.filter(outcome=Outcome.NOT_STARTED).values_list("pk", flat=True)
        job, _started = packs.import_confirm(
            owner=connection.user, key=job.key, chosen=list(to_do), active=options["active"]
        )
        # Run here rather than in the worker: the command ends when the import has.
        bulk_jobs.bulk_job_run(job.pk)
        job.refresh_from_db()
        for item in job.items.all():
            self.stdout.write(f"{item.report_name}: {item.get_outcome_display()}. {item.reason}")
        if job.state != BulkJob.State.FINISHED:
            raise CommandError(
                "Weblink refused the connection. Connect again on the dashboard: the task "
                "worker then imports the rest."
            )
        if job.items.filter(outcome__in=(Outcome.FAILED, Outcome.UNKNOWN)).exists():
            raise CommandError("Some reports were not imported (see above).")
