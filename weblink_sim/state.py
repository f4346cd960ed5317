"""The company's reports as the simulator holds them, changed only under one lock.

Reads hand out copies, so tests and request threads never see a report half-changed.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from weblink_sim import seed
from weblink_sim.validation import ApiError, check_arguments

_STOCKHOLM = ZoneInfo("Europe/Stockholm")


def now_text() -> str:
    """The current Swedish local time, written as the API writes timestamps."""
    return datetime.now(_STOCKHOLM).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class StoredArgument:
    id: str
    key: str
    value: str
    added: str | None


@dataclass
class StoredReport:
    id: str
    name: str
    description: str | None
    interval: str
    active: bool
    email_link_only: bool
    report_type_id: str
    added: str | None
    arguments: list[StoredArgument] = field(default_factory=list)

    def values(self, key: str) -> list[str]:
        """The values of every argument with this key, in the order they were added."""
        return [a.value for a in self.arguments if a.key == key]

    def pairs(self) -> list[tuple[str, str]]:
        """The arguments as (key, value) pairs."""
        return [(a.key, a.value) for a in self.arguments]

    def to_json(self) -> dict:
        """The report as ``GET /company/report`` shows it: strings, and one list per key."""
        arguments: dict[str, list[dict]] = {}
        for a in self.arguments:
            arguments.setdefault(a.key, []).append({"id": a.id, "value": a.value, "added": a.added})
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "interval": self.interval,
            "active": "1" if self.active else "0",
            "email_link_only": "1" if self.email_link_only else "0",
            "report_type_id": self.report_type_id,
            "added": self.added,
            "arguments": arguments,
        }


@dataclass(frozen=True)
class SentReport:
    """One "send now" the simulator carried out."""

    report_id: str
    recipients: tuple[str, ...]
    at: str


class CompanyState:
    """The reports of the simulated company, with the ids the next ones will get."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Put back the seeded reports and forget every change and send."""
        with self._lock:
            self._reports: dict[str, StoredReport] = {}
            self._sent: list[SentReport] = []
            self._next_report_id = seed.FIRST_REPORT_ID
            self._next_argument_id = seed.FIRST_ARGUMENT_ID
            # The company's queues, users and callback destinations, by field type; a test may
            # rename or renumber one, to stand for another company.
            self.option_lists = {
                kind: [dict(item) for item in items] for kind, items in seed.OPTION_LISTS.items()
            }
            for (
                name,
                description,
                type_id,
                interval,
                active,
                link_only,
                added,
                args,
            ) in seed.REPORTS:
                report = StoredReport(
                    id=self._new_report_id(),
                    name=name,
                    description=description,
                    interval=interval,
                    active=active,
                    email_link_only=link_only,
                    report_type_id=type_id,
                    added=added,
                )
                report.arguments = [self._new_argument(k, v, added) for k, v in args]
                self._reports[report.id] = report

    # Saving and loading, so the simulator under `make run` keeps its company across restarts.

    def dump(self) -> dict:
        """The reports and the next ids, as plain JSON values."""
        with self._lock:
            return {
                "next_report_id": self._next_report_id,
                "next_argument_id": self._next_argument_id,
                "reports": [asdict(r) for r in self._reports.values()],
            }

    def load(self, data: dict) -> None:
        """Replace the reports and the next ids with what :meth:`dump` gave."""
        reports = {}
        for values in data["reports"]:
            arguments = [StoredArgument(**a) for a in values["arguments"]]
            reports[values["id"]] = StoredReport(**{**values, "arguments": arguments})
        with self._lock:
            self._reports = reports
            self._sent = []
            self._next_report_id = data["next_report_id"]
            self._next_argument_id = data["next_argument_id"]

    # Reading, for the API and for tests.

    @property
    def reports(self) -> list[StoredReport]:
        """Copies of every report, by ascending id."""
        with self._lock:
            return [copy.deepcopy(r) for r in self._reports.values()]

    def report(self, report_id: str) -> StoredReport | None:
        """A copy of one report, or None."""
        with self._lock:
            found = self._reports.get(str(report_id))
            return copy.deepcopy(found) if found else None

    @property
    def sent(self) -> list[SentReport]:
        """Every send carried out since the last reset, oldest first."""
        with self._lock:
            return list(self._sent)

    def page(self, *, limit: int, limit_from: int) -> tuple[int, list[dict]]:
        """The number of reports and one page of them as JSON."""
        with self._lock:
            reports = list(self._reports.values())
            return len(reports), [r.to_json() for r in reports[limit_from : limit_from + limit]]

    # Changing. Each change is checked against the report's type before it is made.

    def create_report(
        self, fields: dict, report_type_id: str, arguments: list[tuple[str, str]]
    ) -> str:
        """Add a report from checked input; returns its id."""
        with self._lock:
            added = now_text()
            report = StoredReport(
                id=self._new_report_id(),
                name=fields.get("name", ""),
                description=fields.get("description", ""),
                interval=fields["interval"],
                active=fields.get("active", False),
                email_link_only=fields.get("email_link_only", False),
                report_type_id=report_type_id,
                added=added,
            )
            report.arguments = [self._new_argument(k, v, added) for k, v in arguments]
            self._reports[report.id] = report
            return report.id

    def update_report(self, report_id: str, changes: dict) -> None:
        """Change a report's own fields."""
        with self._lock:
            report = self._get(report_id)
            for name, value in changes.items():
                setattr(report, name, value)

    def delete_report(self, report_id: str) -> None:
        with self._lock:
            self._get(report_id)
            del self._reports[report_id]

    def add_argument(self, report_id: str, key: str, value: str) -> str:
        """Add one argument; returns its id."""
        with self._lock:
            report = self._get(report_id)
            check_arguments(
                report.report_type_id, [*report.pairs(), (key, value)], self.option_lists
            )
            argument = self._new_argument(key, value, now_text())
            report.arguments.append(argument)
            return argument.id

    def add_unchecked_argument(self, report_id: str, key: str, value: str) -> str:
        """For tests: an argument the metadata does not describe (say, a retired field)."""
        with self._lock:
            argument = self._new_argument(key, value, now_text())
            self._get(report_id).arguments.append(argument)
            return argument.id

    def update_argument(self, report_id: str, argument_id: str, key: str, value: str) -> None:
        with self._lock:
            report = self._get(report_id)
            argument = self._get_argument(report, argument_id)
            pairs = [(key, value) if a is argument else (a.key, a.value) for a in report.arguments]
            check_arguments(report.report_type_id, pairs, self.option_lists)
            argument.key, argument.value = key, value

    def delete_argument(self, report_id: str, argument_id: str) -> None:
        with self._lock:
            report = self._get(report_id)
            argument = self._get_argument(report, argument_id)
            remaining = [(a.key, a.value) for a in report.arguments if a is not argument]
            check_arguments(report.report_type_id, remaining, self.option_lists)
            report.arguments.remove(argument)

    def send_report(self, report_id: str) -> SentReport:
        """Record that the report went to its e-mail arguments now."""
        with self._lock:
            report = self._get(report_id)
            sent = SentReport(report.id, tuple(report.values("email")), now_text())
            self._sent.append(sent)
            return sent

    def _get(self, report_id: str) -> StoredReport:
        report = self._reports.get(report_id)
        if report is None:
            raise ApiError(404, "Report not found.")
        return report

    @staticmethod
    def _get_argument(report: StoredReport, argument_id: str) -> StoredArgument:
        argument = next((a for a in report.arguments if a.id == argument_id), None)
        if argument is None:
            raise ApiError(404, "Argument not found.")
        return argument

    def _new_report_id(self) -> str:
        self._next_report_id += 1
        return str(self._next_report_id - 1)

    def _new_argument(self, key: str, value: str, added: str | None) -> StoredArgument:
        self._next_argument_id += 1
        return StoredArgument(str(self._next_argument_id - 1), key, value, added)
