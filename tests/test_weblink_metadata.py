"""Parsing Weblink's JSON into the typed metadata objects, from the vendor's own examples."""

import json
from pathlib import Path

import pytest

from reports_admin.weblink.errors import BadAnswer
from reports_admin.weblink.metadata import (
    ArgumentField,
    FieldKind,
    FieldType,
    Option,
    Report,
    ReportArgument,
    ReportType,
    parse_argument_fields,
    parse_created_id,
    parse_field_type,
    parse_options,
    parse_report_page,
    parse_report_types,
    parse_token_grant,
)

FIXTURES = Path(__file__).parent / "fixtures" / "weblink"


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


def test_report_types_from_the_vendor_example():
    assert parse_report_types(load("report_types.json")) == [
        ReportType(
            id="1",
            name="Queue - Missed",
            description="",
            group="queue",
            added="2015-06-24 00:00:00",
            class_name="ReportQueueMissed",
        )
    ]


def test_report_type_numbers_become_strings_and_missing_keys_are_tolerated():
    assert parse_report_types([{"id": 7}]) == [
        ReportType(id="7", name="", description="", group="", added=None, class_name=None)
    ]


def test_argument_fields_from_the_vendor_example():
    fields = parse_argument_fields(load("argument_fields.json"))

    assert [f.key for f in fields.shared] == [
        "format",
        "email",
        "only_when_data",
        "report_language",
    ]
    assert fields.shared[0] == ArgumentField(
        key="format",
        description="The format of the emailed file?",
        mandatory=True,
        type=FieldType(
            FieldKind.ENUM, "enum('html', 'csv', 'xlsx', 'pdf')", ("html", "csv", "xlsx", "pdf")
        ),
    )
    assert fields.shared[1].type == FieldType(FieldKind.EMAIL, "email")
    assert fields.shared[2] == ArgumentField(
        key="only_when_data",
        description="",
        mandatory=False,
        type=FieldType(FieldKind.BOOL, "bool"),
    )
    assert fields.shared[3].type.values == ("en_GB",)
    assert list(fields.by_type) == ["1"]
    queue, option = fields.by_type["1"]
    assert queue.type.kind is FieldKind.PBX_QUEUE
    assert option.type.values == ("missedCalls", "queueRapportPerDay", "memberRapportPerHour")
    assert [f.key for f in fields.for_type("1")][-2:] == ["queue_id", "option"]


def test_any_means_the_same_as_all():
    fields = parse_argument_fields(load("argument_fields_any.json"))

    assert [f.key for f in fields.shared] == ["format", "email"]
    assert fields.shared[0].type.values == ("html", "csv", "xlsx", "pdf")
    assert [f.mandatory for f in fields.shared] == [True, True]
    assert "any" not in fields.by_type
    assert fields.by_type["3"] == ()
    kinds = [f.type.kind for f in fields.by_type["2"]]
    assert kinds == [
        FieldKind.PBX_USER,
        FieldKind.PBX_APP_CALLBACK_DESTINATION,
        FieldKind.UNKNOWN,
        FieldKind.ENUM,
    ]
    assert fields.by_type["2"][0].mandatory is False
    assert fields.by_type["2"][0].description == "The agent"


def test_all_and_any_together_list_each_key_once():
    field = {"key": "email", "description": None, "mandatory": "1", "type": "email"}

    fields = parse_argument_fields({"all": [field], "any": [field]})

    assert [f.key for f in fields.shared] == ["email"]


def test_an_empty_list_means_no_argument_fields():
    fields = parse_argument_fields([])

    assert fields.shared == ()
    assert fields.by_type == {}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("enum('a', 'b')", FieldType(FieldKind.ENUM, "enum('a', 'b')", ("a", "b"))),
        ('enum("a", "b")', FieldType(FieldKind.ENUM, 'enum("a", "b")', ("a", "b"))),
        ("enum('a','b')", FieldType(FieldKind.ENUM, "enum('a','b')", ("a", "b"))),
        ("ENUM ('a b', 'c')", FieldType(FieldKind.ENUM, "ENUM ('a b', 'c')", ("a b", "c"))),
        ("enum(a, b)", FieldType(FieldKind.ENUM, "enum(a, b)", ("a", "b"))),
        ("email", FieldType(FieldKind.EMAIL, "email")),
        ("bool", FieldType(FieldKind.BOOL, "bool")),
        (" Bool ", FieldType(FieldKind.BOOL, " Bool ")),
        ("pbx_queue", FieldType(FieldKind.PBX_QUEUE, "pbx_queue")),
        ("pbx_user", FieldType(FieldKind.PBX_USER, "pbx_user")),
        (
            "pbx_app_callback_destination",
            FieldType(FieldKind.PBX_APP_CALLBACK_DESTINATION, "pbx_app_callback_destination"),
        ),
        ("datetime", FieldType(FieldKind.UNKNOWN, "datetime")),
        ("enum()", FieldType(FieldKind.UNKNOWN, "enum()")),
        ("enum('a'", FieldType(FieldKind.UNKNOWN, "enum('a'")),
        ("", FieldType(FieldKind.UNKNOWN, "")),
        (None, FieldType(FieldKind.UNKNOWN, "")),
    ],
)
def test_field_types(raw, expected):
    assert parse_field_type(raw) == expected


@pytest.mark.parametrize(
    ("mandatory", "expected"),
    [("1", True), ("0", False), (1, True), (0, False), (True, True), ("true", True), (None, False)],
)
def test_mandatory_flag(mandatory, expected):
    data = {"all": [{"key": "k", "mandatory": mandatory, "type": "bool"}]}

    assert parse_argument_fields(data).shared[0].mandatory is expected


def test_report_list_from_the_vendor_example():
    page = parse_report_page(load("report_list.json"))

    assert (page.count, page.limit, page.limit_from) == (21, 1, 20)
    (report,) = page.reports
    # The vendor's example shows only the arguments: every other key is tolerated as missing.
    assert report == Report(
        id="",
        name="",
        description="",
        interval=None,
        active=False,
        email_link_only=False,
        report_type_id=None,
        added=None,
        arguments=(
            ReportArgument("25341", "format", "csv", "2024-09-02 14:26:51"),
            ReportArgument("25342", "email", "test@example.com", "2024-09-02 14:26:51"),
        ),
    )


def test_full_report_list_with_strings_numbers_and_php_empty_arguments():
    page = parse_report_page(load("report_list_full.json"))

    assert (page.count, page.limit, page.limit_from) == (3, 3, 0)
    first, second, third = page.reports
    assert first.id == "2613"
    assert first.name == "Missed calls, Support"
    assert first.interval == "day"
    assert (first.active, first.email_link_only) == (True, False)
    assert first.report_type_id == "1"
    assert first.values("email") == ["lead1@example.com", "lead2@example.com"]
    assert first.arguments[-1] == ReportArgument("25343", "queue_id", "17", None)
    assert (second.id, second.report_type_id) == ("2614", "2")
    assert (second.name, second.description) == ("", "")
    assert (second.active, second.email_link_only) == (False, True)
    assert second.arguments == ()
    assert (third.id, third.active, third.interval, third.arguments) == ("2615", True, None, ())


def test_report_page_counts_default_to_what_came():
    page = parse_report_page({"reports": [{"id": "1"}]})

    assert (page.count, page.limit, page.limit_from) == (1, 1, 0)


def test_options_are_labelled_by_name_then_extension_then_id():
    assert parse_options(load("options.json")) == [
        Option("17", "Support"),
        Option("18", "4002"),
        Option("19", "19"),
    ]


def test_token_grant():
    grant = parse_token_grant(load("token_grant.json"))

    assert grant.access_token == "b3f1c0d2e4a5968778695a4b3c2d1e0f"
    assert grant.refresh_token == "9a8b7c6d5e4f30211203f4e5d6c7b8a9"
    assert grant.expires_in == 3600
    assert "b3f1c0d2" not in repr(grant)


def test_token_grant_needs_only_the_access_token():
    grant = parse_token_grant({"access_token": "abc", "expires_in": "60"})

    assert (grant.access_token, grant.refresh_token, grant.expires_in) == ("abc", None, 60)


def test_created_id():
    assert parse_created_id({"id": "2613"}) == "2613"
    assert parse_created_id({"id": 2613}) == "2613"


@pytest.mark.parametrize(
    ("parse", "data"),
    [
        (parse_report_types, {"id": "1"}),
        (parse_report_types, ["1"]),
        (parse_report_types, [{"name": "no id"}]),
        (parse_report_types, [{"id": {"nested": 1}}]),
        (parse_report_types, None),
        (parse_argument_fields, [{"key": "format"}]),
        (parse_argument_fields, {"all": {"key": "format"}}),
        (parse_argument_fields, {"all": [{"description": "no key"}]}),
        (parse_argument_fields, {"all": [{"key": "k", "mandatory": "maybe"}]}),
        (parse_argument_fields, {"all": [{"key": "k", "type": ["email"]}]}),
        (parse_report_page, []),
        (parse_report_page, {"count": "1"}),
        (parse_report_page, {"reports": {"id": "1"}}),
        (parse_report_page, {"count": "many", "reports": []}),
        (parse_report_page, {"reports": [["1"]]}),
        (parse_report_page, {"reports": [{"arguments": {"email": {"id": "1"}}}]}),
        (parse_report_page, {"reports": [{"arguments": {"email": ["a@example.com"]}}]}),
        (parse_report_page, {"reports": [{"arguments": "email"}]}),
        (parse_report_page, {"reports": [{"active": "sometimes"}]}),
        (parse_options, {"17": "Support"}),
        (parse_options, [{"name": "no id"}]),
        (parse_created_id, ["2613"]),
        (parse_created_id, {"id": None}),
        (parse_created_id, None),
        (parse_token_grant, {"token": "abc"}),
        (parse_token_grant, {"access_token": "abc", "expires_in": "soon"}),
        (parse_token_grant, "abc"),
    ],
)
def test_wrong_shapes_are_bad_answers(parse, data):
    with pytest.raises(BadAnswer) as caught:
        parse(data)

    assert caught.value.message.startswith("Weblink sent ")
