"""Exports every report of a company as a report pack (JSON), for a backup or to keep a
company's set-up under version control."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports_admin.management.commands._connection import add_connection_arguments, connection_for
from reports_admin.reports import packs, selectors
from reports_admin.weblink import WeblinkError


class Command(BaseCommand):
    help = "Export every report of a user's Weblink company as a report pack (JSON)."

    def add_arguments(self, parser) -> None:
        add_connection_arguments(parser)
        parser.add_argument("-o", "--output", help="The file to write (default: standard output).")

    def handle(self, *args: object, **options) -> None:
        connection = connection_for(options["user"], options["company"])
        try:
            reports = selectors.reports_matching(
                connection=connection, filters=selectors.ReportFilters()
            )
            pack = packs.pack_export(connection=connection, reports=reports)
        except WeblinkError as error:
            raise CommandError(str(error.message)) from None
        data = packs.pack_dumps(pack)
        if options["output"]:
            Path(options["output"]).write_bytes(data)
            self.stderr.write(f"Exported {len(reports)} reports to {options['output']}.")
        else:
            self.stdout.write(data.decode(), ending="")
