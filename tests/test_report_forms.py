import html

import pytest
from django import forms
from django.template import Context

from reports_admin.labels import readable_label
from reports_admin.reports.argument_diff import plan_argument_changes
from reports_admin.reports.forms import (
    ArgumentsForm,
    EmailListField,
    ReportForm,
    argument_fields_for,
    initial_from_report,
    report_type_choices,
)
from reports_admin.weblink.metadata import (
    ArgumentField,
    ArgumentFields,
    FieldKind,
    FieldType,
    Option,
    Report,
    ReportArgument,
    ReportType,
)


def enum(*values):
    raw = "enum(" + ", ".join(f"'{v}'" for v in values) + ")"
    return FieldType(kind=FieldKind.ENUM, raw=raw, values=values)


def plain(kind):
    return FieldType(kind=kind, raw=str(kind))


def vendor_fields():
    """The fields of the vendor's example answer to GET /company/report/argument/fields."""
    return ArgumentFields(
        shared=(
            ArgumentField(
                "format",
                "The format of the emailed file?",
                True,
                enum("html", "csv", "xlsx", "pdf"),
            ),
            ArgumentField("email", "The email to send the report to?", True, plain("email")),
            ArgumentField("only_when_data", "", False, plain("bool")),
            ArgumentField("report_language", "Not doing anything, yet", False, enum("en_GB")),
        ),
        by_type={
            "1": (
                ArgumentField("queue_id", "", False, plain("pbx_queue")),
                ArgumentField(
                    "option",
                    "",
                    False,
                    enum("missedCalls", "queueRapportPerDay", "memberRapportPerHour"),
                ),
            ),
        },
    ).for_type("1")


# The vendor's example has no user or callback fields: these two are made up to cover the kinds.
USER_FIELD = ArgumentField("user_id", "", True, plain("pbx_user"))
DESTINATION_FIELD = ArgumentField(
    "destination_id", "", False, plain("pbx_app_callback_destination")
)
UNKNOWN_FIELD = ArgumentField(
    "start_date", "First day", False, FieldType(FieldKind.UNKNOWN, "date")
)

OPTIONS = {
    FieldKind.PBX_QUEUE: [Option("10", "Support"), Option("11", "Sales")],
    FieldKind.PBX_USER: [Option("20", "Anna"), Option("21", "Bo")],
    FieldKind.PBX_APP_CALLBACK_DESTINATION: [Option("30", "Reception")],
}

VALID = {
    "arg-format": "xlsx",
    "arg-email": "a@example.com\nb@example.com",
    "arg-only_when_data": "on",
    "arg-report_language": "",
    "arg-queue_id": "11",
    "arg-option": "missedCalls",
}

REPORT_TYPES = [
    ReportType("1", "Queue - Missed", "", "queue", None, "ReportQueueMissed"),
    ReportType("2", "User - Calls", "", "user", None, None),
    ReportType("3", "Queue - Waiting", "", "queue", None, None),
    ReportType("4", "Callback - Done", "", "callback", None, None),
]


def arguments_form(data=None, fields=None, options=OPTIONS, **kwargs):
    return ArgumentsForm(
        data=data,
        fields=vendor_fields() if fields is None else fields,
        options=options,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("queue_id", "Queue"),
        ("user_id", "User"),
        ("destination_id", "Destination"),
        ("only_when_data", "Only when there is data"),
        ("report_language", "Report language"),
        ("email", "Recipients"),
        ("format", "Format"),
        ("option", "Report content"),
        ("missedCalls", "Missed calls"),
        ("queueRapportPerDay", "Queue report per day"),
        ("target_seconds", "Target seconds"),
        ("xlsx", "XLSX"),
        ("queue", "Queue"),
        ("callback", "Callback"),
    ],
)
def test_readable_label(text, label):
    assert readable_label(text) == label


# --- the fields of each kind ------------------------------------------------------------------


def test_mandatory_enum_is_a_required_choice_without_blank():
    field = arguments_form().fields["format"]
    assert isinstance(field, forms.ChoiceField)
    assert field.required
    assert field.label == "Format"
    # Our own help, translated, not Weblink's "The format of the emailed file?".
    assert field.help_text == "The kind of file the report is made as."
    assert field.choices == [("html", "HTML"), ("csv", "CSV"), ("xlsx", "XLSX"), ("pdf", "PDF")]


def test_optional_enum_has_a_blank_choice_and_readable_values():
    field = arguments_form().fields["option"]
    assert not field.required
    assert field.label == "Report content"
    assert field.help_text == "What the report shows."
    assert field.choices == [
        ("", "Any"),
        ("missedCalls", "Missed calls"),
        ("queueRapportPerDay", "Queue report per day"),
        ("memberRapportPerHour", "Queue member report per hour"),
    ]


def test_bool_is_an_optional_switch():
    field = arguments_form().fields["only_when_data"]
    assert isinstance(field, forms.BooleanField)
    assert not field.required
    assert field.label == "Only when there is data"
    assert field.widget.attrs["role"] == "switch"


def test_bool_renders_as_a_bootstrap_switch_with_crispy():
    form = arguments_form()
    # The layout alone: {% crispy %} would also resolve the form's action through the URLconf.
    html = form.helper.render_layout(form, Context())
    switch = html[html.index('id="div_id_arg-only_when_data"') :]
    assert 'class="mb-3 form-check form-switch' in switch[:100]
    assert 'role="switch' in switch
    assert "form-switch" not in html[: html.index('id="div_id_arg-only_when_data"')]
    assert form.helper.form_tag is False


def test_email_is_a_required_list_of_recipients():
    field = arguments_form().fields["email"]
    assert isinstance(field, EmailListField)
    assert field.required
    assert field.label == "Recipients"


def test_pick_lists_offer_the_company_options():
    form = arguments_form(fields=[*vendor_fields(), USER_FIELD, DESTINATION_FIELD])
    assert form.fields["queue_id"].choices == [
        ("", "All queues"),
        ("10", "Support"),
        ("11", "Sales"),
    ]
    assert form.fields["user_id"].choices == [("20", "Anna"), ("21", "Bo")]
    assert form.fields["user_id"].label == "User"
    assert form.fields["destination_id"].choices == [
        ("", "All callback destinations"),
        ("30", "Reception"),
    ]
    assert form.fields["destination_id"].label == "Destination"


def test_pick_list_rejects_an_id_not_offered():
    form = arguments_form(data={**VALID, "arg-queue_id": "99"})
    assert not form.is_valid()
    assert list(form.errors) == ["queue_id"]


@pytest.mark.parametrize("options", [{**OPTIONS, FieldKind.PBX_QUEUE: None}, {}])
def test_pick_list_that_could_not_be_fetched_becomes_an_id_input(options):
    field = arguments_form(options=options).fields["queue_id"]
    assert type(field) is forms.CharField
    assert "could not be loaded" in field.help_text
    assert "queue's id" in html.unescape(field.help_text)  # escaped: crispy shows it as is

    form = arguments_form(data={**VALID, "arg-queue_id": "42"}, options=options)
    assert form.is_valid(), form.errors
    assert form.arguments()["queue_id"] == ["42"]

    form = arguments_form(data={**VALID, "arg-queue_id": "Sales"}, options=options)
    assert not form.is_valid()
    assert "digits" in form.errors["queue_id"][0]


def test_unknown_type_is_plain_text():
    form = arguments_form(
        data={**VALID, "arg-start_date": "2024-09-01"}, fields=[*vendor_fields(), UNKNOWN_FIELD]
    )
    field = form.fields["start_date"]
    assert type(field) is forms.CharField
    assert field.help_text == "First day"
    assert form.is_valid(), form.errors
    assert form.arguments()["start_date"] == ["2024-09-01"]


def test_argument_fields_for_keeps_the_metadata_order():
    fields = argument_fields_for(vendor_fields(), OPTIONS)
    assert list(fields) == [
        "format",
        "email",
        "only_when_data",
        "report_language",
        "queue_id",
        "option",
    ]


def test_mandatory_fields_are_required():
    form = arguments_form(data={"arg-email": "", "arg-format": ""})
    assert not form.is_valid()
    assert set(form.errors) == {"format", "email"}


# --- the e-mail field ------------------------------------------------------------------------


def clean_email(text, required=True):
    return EmailListField(required=required).clean(text)


def test_email_accepts_lines_commas_and_semicolons():
    text = "a@example.com\r\n b@example.com, c@example.com;d@example.com ;\n"
    assert clean_email(text) == ["a@example.com", "b@example.com", "c@example.com", "d@example.com"]


def test_email_drops_duplicates_keeping_the_first_order():
    text = "b@example.com\na@example.com\nB@example.com\nb@example.com"
    assert clean_email(text) == ["b@example.com", "a@example.com"]


def test_email_error_names_each_bad_address():
    with pytest.raises(forms.ValidationError) as caught:
        clean_email("a@example.com, not-an-address; also@bad")
    assert caught.value.messages == [
        "“not-an-address” is not a valid e-mail address.",
        "“also@bad” is not a valid e-mail address.",
    ]


def test_email_required_when_mandatory_and_empty_list_when_optional():
    with pytest.raises(forms.ValidationError) as caught:
        clean_email(" ,\n ")
    assert caught.value.code == "required"
    assert clean_email("", required=False) == []


def test_email_shows_a_list_initial_one_per_line():
    assert EmailListField().prepare_value(["a@example.com", "b@example.com"]) == (
        "a@example.com\nb@example.com"
    )


# --- cleaned output and initial values ------------------------------------------------------


def test_arguments_are_lists_of_strings_by_key():
    form = arguments_form(data=VALID)
    assert form.is_valid(), form.errors
    assert form.arguments() == {
        "format": ["xlsx"],
        "email": ["a@example.com", "b@example.com"],
        "only_when_data": ["1"],
        "report_language": [],
        "queue_id": ["11"],
        "option": ["missedCalls"],
    }


def test_flag_off_and_empty_optional_fields_are_no_values():
    data = {"arg-format": "csv", "arg-email": "a@example.com"}
    form = arguments_form(data=data)
    assert form.is_valid(), form.errors
    assert form.arguments() == {
        "format": ["csv"],
        "email": ["a@example.com"],
        "only_when_data": [],
        "report_language": [],
        "queue_id": [],
        "option": [],
    }


def stored_report(*pairs):
    arguments = tuple(
        ReportArgument(id=str(100 + i), key=key, value=value)
        for i, (key, value) in enumerate(pairs)
    )
    return Report(
        id="2613",
        name="Missed calls",
        description="",
        interval="day",
        active=True,
        email_link_only=False,
        report_type_id="1",
        added=None,
        arguments=arguments,
    )


def as_post_data(form):
    """What a browser would post back for the form as rendered with its initial values."""
    data = {}
    for name, bound in form.fields.items():
        value = form.get_initial_for_field(bound, name)
        if value is True:
            data[form.add_prefix(name)] = "on"
        elif value not in (False, None):
            data[form.add_prefix(name)] = value
    return data


def test_initial_from_report():
    report = stored_report(
        ("format", "pdf"),
        ("email", "a@example.com"),
        ("email", "b@example.com"),
        ("only_when_data", "1"),
        ("queue_id", "10"),
    )
    assert initial_from_report(report, vendor_fields()) == {
        "format": "pdf",
        "email": "a@example.com\nb@example.com",
        "only_when_data": True,
        "queue_id": "10",
    }


@pytest.mark.parametrize(
    "pairs",
    [
        [("format", "pdf"), ("email", "a@example.com"), ("email", "b@example.com")],
        [
            ("format", "csv"),
            ("email", "a@example.com"),
            ("only_when_data", "1"),
            ("report_language", "en_GB"),
            ("queue_id", "11"),
            ("option", "queueRapportPerDay"),
            ("unmanaged_key", "kept"),
        ],
    ],
)
def test_saving_an_unedited_report_plans_no_calls(pairs):
    report = stored_report(*pairs)
    fields = vendor_fields()
    shown = arguments_form(initial=initial_from_report(report, fields))
    form = arguments_form(data=as_post_data(shown))
    assert form.is_valid(), form.errors
    arguments = form.arguments()
    assert {key: values for key, values in arguments.items() if values} == {
        key: report.values(key) for key, _ in pairs if key in form.fields
    }
    managed = [field.key for field in fields]
    assert plan_argument_changes(report.arguments, arguments, managed_keys=managed) == []


# --- the report's own fields -----------------------------------------------------------------


def report_form(data=None, **kwargs):
    return ReportForm(data=data, report_types=REPORT_TYPES, **kwargs)


def test_report_form_fields_and_defaults():
    form = report_form()
    assert form.fields["name"].required
    assert form.fields["name"].max_length == 255
    assert not form.fields["description"].required
    assert form.fields["description"].widget.attrs["rows"] == 2
    assert form.fields["interval"].choices == [
        ("hour", "Every hour"),
        ("day", "Every day"),
        ("week", "Every week"),
        ("month", "Every month"),
    ]
    assert form.fields["interval"].initial == "day"
    assert form.fields["active"].initial is True
    assert not form.fields["active"].required
    assert form.fields["email_link_only"].label == "E-mail a link instead of the file"


def test_report_form_cleans_a_valid_submission():
    form = report_form(
        data={"name": "Missed", "interval": "week", "active": "on", "report_type": "3"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "name": "Missed",
        "description": "",
        "interval": "week",
        "active": True,
        "email_link_only": False,
        "report_type": "3",
    }


def test_report_form_rejects_long_name_and_unknown_interval():
    form = report_form(data={"name": "x" * 256, "interval": "year", "report_type": "1"})
    assert not form.is_valid()
    assert set(form.errors) == {"name", "interval"}


def test_report_types_are_grouped_by_readable_group():
    assert report_type_choices(REPORT_TYPES) == [
        ("Queue", [("1", "Queue - Missed"), ("3", "Queue - Waiting")]),
        ("User", [("2", "User - Calls")]),
        ("Callback", [("4", "Callback - Done")]),
    ]
    assert report_form().fields["report_type"].choices == report_type_choices(REPORT_TYPES)


def test_report_type_without_group_is_under_other():
    assert report_type_choices([ReportType("9", "Odd", "", "", None, None)]) == [
        ("Other", [("9", "Odd")])
    ]


def test_locked_report_type_keeps_its_initial_value():
    form = report_form(
        data={"name": "Missed", "interval": "day", "report_type": "2"},
        initial={"report_type": "1"},
        report_type_locked=True,
    )
    assert form.fields["report_type"].disabled
    assert form.is_valid(), form.errors
    assert form.cleaned_data["report_type"] == "1"
    assert not report_form().fields["report_type"].disabled


# --- errors from the API ---------------------------------------------------------------------


def test_api_errors_go_to_the_fields_they_name():
    report = report_form(data={"name": "Missed", "interval": "day", "report_type": "1"})
    arguments = arguments_form(data=VALID)
    assert report.is_valid() and arguments.is_valid()

    report.add_api_errors(
        {
            "name": ["Name is taken."],
            "report_type_id": "Unknown report type.",
            "email": ["Recipient bounced."],
            "colour": ["Not allowed."],
        },
        others=[arguments],
    )

    assert report.errors["name"] == ["Name is taken."]
    assert report.errors["report_type"] == ["Unknown report type."]
    assert arguments.errors["email"] == ["Recipient bounced."]
    assert report.non_field_errors() == ["Colour: Not allowed."]
    assert "name" not in report.cleaned_data


def test_api_errors_on_a_single_form():
    arguments = arguments_form(data=VALID)
    assert arguments.is_valid()
    arguments.add_api_errors({"queue_id": ["No such queue."], "interval": ["Bad."]})
    assert arguments.errors["queue_id"] == ["No such queue."]
    assert arguments.non_field_errors() == ["Interval: Bad."]


def test_an_unknown_field_keeps_weblinks_help_and_a_known_one_gets_ours():
    unknown = ArgumentField("target_seconds", "Answer within this many seconds", False, plain("x"))
    form = arguments_form(fields=[*vendor_fields(), unknown])
    assert form.fields["target_seconds"].help_text == "Answer within this many seconds"
    assert form.fields["report_language"].help_text == "The language of the report's headings."
    assert form.fields["email"].help_text == "Who receives the report: one address per line."


def test_an_optional_user_pick_list_says_all_users():
    optional_user = ArgumentField("user_id", "", False, plain("pbx_user"))
    form = arguments_form(fields=[*vendor_fields(), optional_user])
    assert form.fields["user_id"].choices[0] == ("", "All users")


def test_optional_keys_are_never_required():
    form = arguments_form(optional=("email",))
    assert not form.fields["email"].required
    assert form.fields["format"].required
