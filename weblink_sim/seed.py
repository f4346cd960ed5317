"""The simulated companies: the report types and argument fields they share, and each one's
accounts, option lists and reports.

Everything here is fixed data, so a fresh simulator always holds the same companies and tests
can rely on them. Report type 1 and the shared fields are exactly as the vendor's text shows
them. The first company, demo, is the one tests and the demo use unless they name another;
the second, hamnen, is there so the dashboard can be tried and tested with several companies.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Account:
    password: str
    tfa: str  # the two-factor code the account needs, "" when it has none


@dataclass(frozen=True)
class CompanySeed:
    """One company as a fresh simulator holds it."""

    name: str  # signed in to as client_id external.<name>
    accounts: dict[str, Account]  # by user name
    option_lists: dict[str, tuple[dict, ...]]  # keyed by the field type whose values they hold
    # (name, description, report_type_id, interval, active, email_link_only, added, arguments)
    reports: tuple[tuple, ...]
    first_report_id: int
    first_argument_id: int


COMPANY = "demo"

INTERVALS = ("hour", "day", "week", "month")
FORMATS = ("csv", "html", "pdf", "xlsx")

REPORT_TYPES: tuple[dict, ...] = (
    {
        "id": "1",
        "name": "Queue - Missed",
        "description": None,
        "group": "queue",
        "added": "2015-06-24 00:00:00",
        "class_name": "ReportQueueMissed",
    },
    {
        "id": "2",
        "name": "Queue - Statistics",
        "description": "Offered, answered and missed calls per queue",
        "group": "queue",
        "added": "2016-02-11 09:30:00",
        "class_name": "ReportQueueStatistics",
    },
    {
        "id": "3",
        "name": "Queue - Service level",
        "description": "Share of calls answered within the target time",
        "group": "queue",
        "added": "2018-10-01 00:00:00",
        "class_name": "ReportQueueServiceLevel",
    },
    {
        "id": "4",
        "name": "User - Calls",
        "description": "Inbound and outbound calls per user",
        "group": "user",
        "added": "2016-05-17 13:12:44",
        "class_name": "ReportUserCalls",
    },
    {
        "id": "5",
        "name": "User - Availability",
        "description": None,
        "group": "user",
        "added": "2019-03-04 08:00:00",
        "class_name": "ReportUserAvailability",
    },
    {
        "id": "6",
        "name": "Callback - Requests",
        "description": "Callback requests and how they ended",
        "group": "callback",
        "added": "2020-01-20 10:45:00",
        "class_name": "ReportCallbackRequests",
    },
    {
        "id": "7",
        "name": "Company - Call summary",
        "description": "All calls of the company, with no extra arguments",
        "group": "company",
        "added": "2017-08-28 00:00:00",
        "class_name": "ReportCompanyCallSummary",
    },
)


def _field(key: str, description: str | None, mandatory: bool, type_: str) -> dict:
    return {
        "key": key,
        "description": description,
        "mandatory": "1" if mandatory else "0",
        "type": type_,
    }


# Keyed as the API keys them; type 7 has no extra fields and so no key of its own.
ARGUMENT_FIELDS: dict[str, list[dict]] = {
    "all": [
        _field(
            "format", "The format of the emailed file?", True, "enum('html', 'csv', 'xlsx', 'pdf')"
        ),
        _field("email", "The email to send the report to?", True, "email"),
        _field("only_when_data", None, False, "bool"),
        _field("report_language", "Not doing anything, yet", False, "enum('en_GB')"),
    ],
    "1": [
        _field("queue_id", None, False, "pbx_queue"),
        _field(
            "option",
            None,
            False,
            "enum('missedCalls', 'queueRapportPerDay', 'memberRapportPerHour')",
        ),
    ],
    "2": [
        _field("queue_id", "The queue to report on", True, "pbx_queue"),
        _field("option", None, False, "enum('summary', 'perHour', 'perDay')"),
    ],
    "3": [
        _field("queue_id", None, False, "pbx_queue"),
        # A type the API documents nowhere: clients must still show it, as text.
        _field("target_seconds", "Answer within this many seconds", False, "int"),
    ],
    "4": [
        _field("user_id", "The user to report on", True, "pbx_user"),
        _field("include_internal", "Count calls between colleagues too", False, "bool"),
    ],
    "5": [
        _field("user_id", None, False, "pbx_user"),
    ],
    "6": [
        _field("destination_id", None, False, "pbx_app_callback_destination"),
        _field("option", None, False, "enum('all', 'completed', 'failed')"),
    ],
}

QUEUES: tuple[dict, ...] = (
    {"id": "1101", "name": "Kundtjänst", "extension": "800"},
    {"id": "1102", "name": "Växel", "extension": "801"},
    {"id": "1103", "name": "Försäljning", "extension": "802"},
    {"id": "1104", "name": "Teknisk support", "extension": "803"},
    {"id": "1105", "name": "Felanmälan", "extension": "804"},
    {"id": "1106", "name": "Fakturafrågor", "extension": "805"},
)

USERS: tuple[dict, ...] = (
    {"id": "2201", "name": "Anna Lindqvist", "extension": "201"},
    {"id": "2202", "name": "Erik Johansson", "extension": "202"},
    {"id": "2203", "name": "Maria Karlsson", "extension": "203"},
    {"id": "2204", "name": "Johan Nilsson", "extension": "204"},
    {"id": "2205", "name": "Sara Andersson", "extension": "205"},
    {"id": "2206", "name": "Lars Eriksson", "extension": "206"},
    {"id": "2207", "name": "Emma Larsson", "extension": "207"},
    {"id": "2208", "name": "Karin Olsson", "extension": "208"},
    {"id": "2209", "name": "Oskar Persson", "extension": "209"},
    # A shared phone with no name: clients label it by its extension.
    {"id": "2210", "name": None, "extension": "299"},
)

CALLBACK_DESTINATIONS: tuple[dict, ...] = (
    {"id": "3301", "name": "Kundtjänst återuppringning"},
    {"id": "3302", "name": "Support återuppringning"},
    {"id": "3303", "name": "Försäljning återuppringning"},
    {"id": "3304", "name": "Felanmälan kväll"},
)

# The first company's option lists, keyed by the field type whose values they hold.
OPTION_LISTS: dict[str, tuple[dict, ...]] = {
    "pbx_queue": QUEUES,
    "pbx_user": USERS,
    "pbx_app_callback_destination": CALLBACK_DESTINATIONS,
}

_D = "nordvikenergi.se"

# (name, description, report_type_id, interval, active, email_link_only, added, arguments)
REPORTS: tuple[tuple, ...] = (
    (
        "Missade samtal Kundtjänst",
        "Daglig lista till teamledarna",
        "1",
        "day",
        True,
        False,
        "2023-01-09 08:12:03",
        [
            ("format", "xlsx"),
            ("email", f"teamledare@{_D}"),
            ("email", f"anna.lindqvist@{_D}"),
            ("queue_id", "1101"),
            ("option", "missedCalls"),
        ],
    ),
    (
        "Missade samtal Växel",
        None,
        "1",
        "hour",
        True,
        False,
        "2023-01-09 08:15:40",
        [
            ("format", "csv"),
            ("email", f"vaxel@{_D}"),
            ("queue_id", "1102"),
            ("option", "missedCalls"),
            ("only_when_data", "1"),
        ],
    ),
    (
        "Kundtjänst per dag",
        "Köstatistik per dag",
        "1",
        "week",
        True,
        False,
        "2023-02-14 10:01:22",
        [
            ("format", "pdf"),
            ("email", f"erik.johansson@{_D}"),
            ("queue_id", "1101"),
            ("option", "queueRapportPerDay"),
        ],
    ),
    (
        "Försäljning – medlemmar per timme",
        None,
        "1",
        "day",
        False,
        False,
        "2023-03-02 16:44:10",
        [
            ("format", "xlsx"),
            ("email", f"maria.karlsson@{_D}"),
            ("queue_id", "1103"),
            ("option", "memberRapportPerHour"),
        ],
    ),
    (
        "Missed calls, all queues",
        "Weekly overview for management",
        "1",
        "week",
        True,
        True,
        "2023-03-20 09:00:00",
        [("format", "html"), ("email", f"ledning@{_D}"), ("report_language", "en_GB")],
    ),
    (
        "Teknisk support – missade",
        None,
        "1",
        "day",
        True,
        False,
        "2023-04-11 07:58:31",
        [
            ("format", "csv"),
            ("email", f"support@{_D}"),
            ("queue_id", "1104"),
            ("option", "missedCalls"),
        ],
    ),
    (
        "Felanmälan nattjour",
        "Missade samtal under natten",
        "1",
        "hour",
        True,
        False,
        "2023-05-05 22:10:00",
        [("format", "csv"), ("email", f"jour@{_D}"), ("queue_id", "1105"), ("only_when_data", "1")],
    ),
    (
        "Fakturafrågor månadsvis",
        None,
        "1",
        "month",
        False,
        False,
        None,
        [("format", "pdf"), ("email", f"ekonomi@{_D}"), ("queue_id", "1106")],
    ),
    (
        "Köstatistik Kundtjänst",
        "Samtal per timme",
        "2",
        "day",
        True,
        False,
        "2023-01-16 11:20:05",
        [
            ("format", "xlsx"),
            ("email", f"teamledare@{_D}"),
            ("queue_id", "1101"),
            ("option", "perHour"),
        ],
    ),
    (
        "Köstatistik Växel",
        None,
        "2",
        "week",
        True,
        False,
        "2023-01-16 11:24:48",
        [("format", "xlsx"), ("email", f"vaxel@{_D}"), ("queue_id", "1102"), ("option", "perDay")],
    ),
    (
        "Queue statistics Sales",
        "Monthly summary for the sales director",
        "2",
        "month",
        True,
        False,
        "2023-06-01 08:00:00",
        [
            ("format", "pdf"),
            ("email", f"oskar.persson@{_D}"),
            ("email", f"ledning@{_D}"),
            ("queue_id", "1103"),
            ("option", "summary"),
        ],
    ),
    (
        "Support volume",
        None,
        "2",
        "day",
        False,
        False,
        "2023-06-12 14:31:59",
        [("format", "csv"), ("email", f"support@{_D}"), ("queue_id", "1104")],
    ),
    (
        "Felanmälan statistik",
        "Underlag till veckomötet",
        "2",
        "week",
        True,
        True,
        "2023-08-21 06:45:00",
        [
            ("format", "html"),
            ("email", f"lars.eriksson@{_D}"),
            ("queue_id", "1105"),
            ("option", "perDay"),
        ],
    ),
    (
        "Servicenivå Kundtjänst",
        "Mål: 80 % inom 30 sekunder",
        "3",
        "day",
        True,
        False,
        "2023-02-01 09:15:00",
        [
            ("format", "xlsx"),
            ("email", f"teamledare@{_D}"),
            ("queue_id", "1101"),
            ("target_seconds", "30"),
        ],
    ),
    (
        "Servicenivå Växel",
        None,
        "3",
        "week",
        True,
        False,
        "2023-02-01 09:17:30",
        [
            ("format", "pdf"),
            ("email", f"vaxel@{_D}"),
            ("queue_id", "1102"),
            ("target_seconds", "20"),
        ],
    ),
    (
        "Service level, all queues",
        "For the quarterly review",
        "3",
        "month",
        True,
        False,
        "2023-09-29 15:00:00",
        [("format", "xlsx"), ("email", f"ledning@{_D}"), ("report_language", "en_GB")],
    ),
    (
        "Samtal Anna Lindqvist",
        None,
        "4",
        "week",
        True,
        False,
        "2023-03-06 10:10:10",
        [("format", "pdf"), ("email", f"anna.lindqvist@{_D}"), ("user_id", "2201")],
    ),
    (
        "Samtal Erik Johansson",
        None,
        "4",
        "week",
        True,
        False,
        "2023-03-06 10:11:42",
        [
            ("format", "pdf"),
            ("email", f"erik.johansson@{_D}"),
            ("user_id", "2202"),
            ("include_internal", "0"),
        ],
    ),
    (
        "Säljarnas samtal – Maria",
        "Inklusive interna samtal",
        "4",
        "day",
        True,
        False,
        "2023-04-03 08:30:00",
        [
            ("format", "xlsx"),
            ("email", f"maria.karlsson@{_D}"),
            ("email", f"ledning@{_D}"),
            ("user_id", "2203"),
            ("include_internal", "1"),
        ],
    ),
    (
        "Calls Johan Nilsson",
        None,
        "4",
        "month",
        False,
        False,
        "2023-07-10 13:05:00",
        [("format", "csv"), ("email", f"johan.nilsson@{_D}"), ("user_id", "2204")],
    ),
    (
        "Konferensrum samtal",
        "Telefonen i stora mötesrummet",
        "4",
        "month",
        True,
        True,
        "2023-10-02 09:00:00",
        [("format", "html"), ("email", f"kontor@{_D}"), ("user_id", "2210")],
    ),
    (
        "Tillgänglighet alla agenter",
        None,
        "5",
        "day",
        True,
        False,
        "2023-02-20 07:30:00",
        [("format", "xlsx"), ("email", f"teamledare@{_D}")],
    ),
    (
        "Tillgänglighet Sara Andersson",
        None,
        "5",
        "week",
        True,
        False,
        "2023-05-15 12:00:00",
        [("format", "pdf"), ("email", f"sara.andersson@{_D}"), ("user_id", "2205")],
    ),
    (
        "Availability Emma Larsson",
        "Part-time schedule check",
        "5",
        "week",
        False,
        False,
        "2023-11-06 08:00:00",
        [("format", "csv"), ("email", f"emma.larsson@{_D}"), ("user_id", "2207")],
    ),
    (
        "Återuppringningar Kundtjänst",
        None,
        "6",
        "day",
        True,
        False,
        "2023-03-13 09:45:00",
        [
            ("format", "xlsx"),
            ("email", f"teamledare@{_D}"),
            ("destination_id", "3301"),
            ("option", "all"),
        ],
    ),
    (
        "Misslyckade återuppringningar",
        "Följs upp nästa morgon",
        "6",
        "day",
        True,
        False,
        "2023-03-13 09:49:21",
        [
            ("format", "csv"),
            ("email", f"support@{_D}"),
            ("email", f"karin.olsson@{_D}"),
            ("destination_id", "3302"),
            ("option", "failed"),
            ("only_when_data", "1"),
        ],
    ),
    (
        "Callbacks sales",
        None,
        "6",
        "week",
        True,
        False,
        "2023-08-07 10:00:00",
        [
            ("format", "pdf"),
            ("email", f"oskar.persson@{_D}"),
            ("destination_id", "3303"),
            ("option", "completed"),
        ],
    ),
    (
        "Samtalsöversikt företaget",
        "Alla samtal, hela bolaget",
        "7",
        "month",
        True,
        False,
        "2023-01-02 06:00:00",
        [("format", "pdf"), ("email", f"ledning@{_D}"), ("email", f"ekonomi@{_D}")],
    ),
    (
        "Company calls weekly",
        None,
        "7",
        "week",
        True,
        True,
        "2023-04-24 06:00:00",
        [("format", "html"), ("email", f"ledning@{_D}"), ("report_language", "en_GB")],
    ),
    (
        "Samtal per timme (test)",
        "Gammal testrapport",
        "7",
        "hour",
        False,
        False,
        None,
        [("format", "csv"), ("email", f"it@{_D}")],
    ),
)

# The first report id and the first argument id of the seed. They are chosen so that the first
# report and argument created after seeding get the ids of the vendor's examples (2613, 25341).
FIRST_REPORT_ID = 2613 - len(REPORTS)
FIRST_ARGUMENT_ID = 25341 - sum(len(report[-1]) for report in REPORTS)

DEMO = CompanySeed(
    name=COMPANY,
    accounts={
        "admin": Account(password="demo", tfa=""),  # noqa: S106
        "secure": Account(password="demo", tfa="123456"),  # noqa: S106
    },
    option_lists=OPTION_LISTS,
    reports=REPORTS,
    first_report_id=FIRST_REPORT_ID,
    first_argument_id=FIRST_ARGUMENT_ID,
)

# The second company, hamnen: a property manager with fewer reports. Some of its queues, users
# and callback destinations have the same name as one of demo's but another id (Kundtjänst is
# 1101 in demo, 4101 here), and the others differ in both. Its report ids 2605 to 2612 are ids
# of other reports in demo, so that a page that mixed the companies up would show it.

_H = "hamnenfastigheter.se"

HAMNEN_QUEUES: tuple[dict, ...] = (
    {"id": "4101", "name": "Kundtjänst", "extension": "600"},
    {"id": "4102", "name": "Växel", "extension": "601"},
    {"id": "4103", "name": "Uthyrning", "extension": "602"},
    {"id": "4104", "name": "Felanmälan", "extension": "603"},
    {"id": "4105", "name": "Fastighetsjour", "extension": "604"},
)

HAMNEN_USERS: tuple[dict, ...] = (
    {"id": "4201", "name": "Linnea Berg", "extension": "401"},
    {"id": "4202", "name": "Erik Johansson", "extension": "402"},
    {"id": "4203", "name": "Ahmed Hassan", "extension": "403"},
    {"id": "4204", "name": "Sofia Ek", "extension": "404"},
    {"id": "4205", "name": "Mikael Holm", "extension": "405"},
)

HAMNEN_CALLBACK_DESTINATIONS: tuple[dict, ...] = (
    {"id": "4301", "name": "Kundtjänst återuppringning"},
    {"id": "4302", "name": "Uthyrning återuppringning"},
)

HAMNEN_REPORTS: tuple[tuple, ...] = (
    (
        "Missade samtal Kundtjänst",
        "Till kundtjänstens morgonmöte",
        "1",
        "day",
        True,
        False,
        "2024-02-05 07:30:00",
        [("format", "xlsx"), ("email", f"kundtjanst@{_H}"), ("queue_id", "4101")],
    ),
    (
        "Missade samtal Felanmälan",
        None,
        "1",
        "hour",
        True,
        False,
        "2024-02-05 07:34:12",
        [
            ("format", "csv"),
            ("email", f"felanmalan@{_H}"),
            ("queue_id", "4104"),
            ("option", "missedCalls"),
            ("only_when_data", "1"),
        ],
    ),
    (
        "Fastighetsjour natt",
        "Missade samtal till jouren",
        "1",
        "day",
        True,
        False,
        "2024-03-11 22:00:00",
        [("format", "pdf"), ("email", f"jour@{_H}"), ("queue_id", "4105")],
    ),
    (
        "Uthyrning per dag",
        None,
        "2",
        "week",
        True,
        False,
        "2024-03-18 09:12:45",
        [
            ("format", "xlsx"),
            ("email", f"uthyrning@{_H}"),
            ("queue_id", "4103"),
            ("option", "perDay"),
        ],
    ),
    (
        "Köstatistik Växel",
        None,
        "2",
        "month",
        False,
        False,
        "2024-04-02 10:00:00",
        [("format", "pdf"), ("email", f"ekonomi@{_H}"), ("queue_id", "4102")],
    ),
    (
        "Servicenivå Kundtjänst",
        "Mål: 90 % inom 60 sekunder",
        "3",
        "week",
        True,
        True,
        "2024-04-15 08:00:00",
        [
            ("format", "html"),
            ("email", f"ledning@{_H}"),
            ("queue_id", "4101"),
            ("target_seconds", "60"),
        ],
    ),
    (
        "Samtal Linnea Berg",
        None,
        "4",
        "week",
        True,
        False,
        "2024-05-06 13:20:00",
        [("format", "pdf"), ("email", f"linnea.berg@{_H}"), ("user_id", "4201")],
    ),
    (
        "Calls Erik Johansson",
        "Property manager, north",
        "4",
        "month",
        True,
        False,
        "2024-05-06 13:24:31",
        [
            ("format", "csv"),
            ("email", f"erik.johansson@{_H}"),
            ("user_id", "4202"),
            ("include_internal", "1"),
        ],
    ),
    (
        "Tillgänglighet förvaltarna",
        None,
        "5",
        "day",
        False,
        False,
        None,
        [("format", "xlsx"), ("email", f"ledning@{_H}")],
    ),
    (
        "Återuppringningar Uthyrning",
        None,
        "6",
        "week",
        True,
        False,
        "2024-06-10 09:00:00",
        [
            ("format", "xlsx"),
            ("email", f"uthyrning@{_H}"),
            ("destination_id", "4302"),
            ("option", "all"),
        ],
    ),
    (
        "Samtalsöversikt företaget",
        "Alla samtal, till styrelsen",
        "7",
        "month",
        True,
        False,
        "2024-01-08 06:00:00",
        [("format", "pdf"), ("email", f"styrelsen@{_H}"), ("email", f"ekonomi@{_H}")],
    ),
    (
        "Weekly call summary",
        None,
        "7",
        "week",
        True,
        True,
        "2024-08-19 06:00:00",
        [("format", "html"), ("email", f"ledning@{_H}"), ("report_language", "en_GB")],
    ),
)

HAMNEN = CompanySeed(
    name="hamnen",
    # The same user names as in demo, with their own passwords and two-factor code.
    accounts={
        "admin": Account(password="hamnen", tfa=""),  # noqa: S106
        "secure": Account(password="hamnen", tfa="654321"),  # noqa: S106
    },
    option_lists={
        "pbx_queue": HAMNEN_QUEUES,
        "pbx_user": HAMNEN_USERS,
        "pbx_app_callback_destination": HAMNEN_CALLBACK_DESTINATIONS,
    },
    reports=HAMNEN_REPORTS,
    first_report_id=2605,
    first_argument_id=41001,
)

# Every company the simulator serves, the first one first.
COMPANIES: tuple[CompanySeed, ...] = (DEMO, HAMNEN)
