"""The report form: its fixed fields, and the argument fields built from the API's metadata.

All validation happens here, before any API call. ``ArgumentsForm.arguments()`` gives the
values in the API's shape (key to list of strings), ready for ``plan_argument_changes``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

from crispy_bootstrap5.bootstrap5 import Switch
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, RegexValidator
from django.http import QueryDict
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from reports_admin.labels import (
    INTERVAL_CHOICES,
    PERIOD_CHOICES,
    field_help,
    nothing_picked,
    readable_label,
)
from reports_admin.reports import packs
from reports_admin.weblink.metadata import (
    OPTION_KINDS,
    ArgumentField,
    FieldKind,
    Option,
    Report,
    ReportType,
)

# For each pick-list, the hint shown when its list could not be fetched and the message for
# an id that is not a number.
_TYPED_ID_TEXTS = {
    FieldKind.PBX_QUEUE: (
        _("The list of queues could not be loaded: enter the queue's id."),
        _("Enter the queue's id, in digits."),
    ),
    FieldKind.PBX_USER: (
        _("The list of users could not be loaded: enter the user's id."),
        _("Enter the user's id, in digits."),
    ),
    FieldKind.PBX_APP_CALLBACK_DESTINATION: (
        _(
            "The list of callback destinations could not be loaded: "
            "enter the callback destination's id."
        ),
        _("Enter the callback destination's id, in digits."),
    ),
}

# Top-level names the API may use in its errors, by the name of our form field.
_API_FIELD_NAMES = {"report_type_id": "report_type"}


class ApiErrorsMixin:
    """Lets a bound, validated form show the errors the API gave for its fields."""

    def add_api_errors(
        self,
        errors: Mapping[str, Sequence[str] | str],
        *,
        others: Sequence[forms.Form] = (),
    ) -> None:
        """Put each error on the field it names, in this form or one of ``others``.

        Errors for names no form knows become non-field errors of this form.
        """
        for key, messages in errors.items():
            messages = [messages] if isinstance(messages, str) else list(messages)
            name = _API_FIELD_NAMES.get(key, key)
            form = next((f for f in (self, *others) if name in f.fields), None)
            if form is None:
                self.add_error(None, [f"{readable_label(key)}: {m}" for m in messages])
            else:
                form.add_error(name, messages)


def report_type_choices(report_types: Sequence[ReportType]) -> list[tuple[str, list]]:
    """The report types grouped by their ``group``, groups in the order they first appear."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for report_type in report_types:
        group = readable_label(report_type.group) if report_type.group else str(_("Other"))
        groups.setdefault(group, []).append((report_type.id, report_type.name))
    return list(groups.items())


class ReportForm(ApiErrorsMixin, forms.Form):
    """A report's own fields; its arguments are in ``ArgumentsForm``."""

    name = forms.CharField(label=_("Name"), max_length=255)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    interval = forms.ChoiceField(label=_("Interval"), choices=INTERVAL_CHOICES, initial="day")
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    email_link_only = forms.BooleanField(
        label=_("E-mail a link instead of the file"), required=False
    )
    report_type = forms.ChoiceField(label=_("Report type"))

    # Argument keys this form never requires, whatever Weblink says of them.
    OPTIONAL_ARGUMENTS: tuple[str, ...] = ()

    def __init__(
        self,
        *args,
        report_types: Sequence[ReportType],
        report_type_locked: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["report_type"].choices = report_type_choices(report_types)
        # The API cannot change a report's type after creation.
        self.fields["report_type"].disabled = report_type_locked


class EmailListField(forms.Field):
    """Any number of e-mail addresses, one per line or separated by commas or semicolons."""

    widget = forms.Textarea(
        attrs={"rows": 3, "placeholder": _("name@example.com, one address per line")}
    )

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value) -> list[str]:
        """The addresses in the order given, each once (compared without regard to case)."""
        addresses: dict[str, str] = {}
        for address in re.split(r"[\s,;]+", value or ""):
            if address:
                addresses.setdefault(address.lower(), address)
        return list(addresses.values())

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        check = EmailValidator()
        bad = []
        for address in value:
            try:
                check(address)
            except ValidationError:
                bad.append(
                    ValidationError(
                        _("“%(address)s” is not a valid e-mail address."),
                        code="invalid",
                        params={"address": address},
                    )
                )
        if bad:
            raise ValidationError(bad)


def _field_for(
    argument: ArgumentField, options: Sequence[Option] | None, *, required: bool
) -> forms.Field:
    """One form field for one API argument field; ``options`` only matter to pick-lists."""
    kind = argument.type.kind
    common = {
        "required": required,
        "label": readable_label(argument.key),
        # Crispy renders help_text unescaped, and Weblink's text is text, never HTML.
        "help_text": field_help(argument.key, escape(argument.description or "")),
    }
    blank = [] if required else [("", nothing_picked(kind))]
    if kind == FieldKind.ENUM:
        choices = [(value, readable_label(value)) for value in argument.type.values]
        return forms.ChoiceField(choices=blank + choices, **common)
    if kind == FieldKind.BOOL:
        return forms.BooleanField(widget=forms.CheckboxInput(attrs={"role": "switch"}), **common)
    if kind == FieldKind.EMAIL:
        return EmailListField(**common)
    if kind in OPTION_KINDS and options is not None:
        choices = [(option.id, option.label) for option in options]
        return forms.ChoiceField(choices=blank + choices, **common)
    if kind in OPTION_KINDS:
        hint, not_digits = _TYPED_ID_TEXTS[kind]
        common["help_text"] = " ".join(filter(None, [common["help_text"], str(hint)]))
        digits = RegexValidator(r"^\d+$", not_digits)
        return forms.CharField(validators=[digits], **common)
    return forms.CharField(**common)


def argument_fields_for(
    fields: Sequence[ArgumentField],
    options: Mapping[FieldKind, Sequence[Option] | None],
    *,
    optional: Collection[str] = (),
) -> dict[str, forms.Field]:
    """Form fields by argument key. A pick-list whose options are None (or missing) is typed in.

    The keys in ``optional`` are never required, whatever Weblink says of them.
    """
    return {
        field.key: _field_for(
            field,
            options.get(field.type.kind),
            required=field.mandatory and field.key not in optional,
        )
        for field in fields
    }


def _as_values(value) -> list[str]:
    """A cleaned field value as the API's list of strings: a flag that is off is no value."""
    if isinstance(value, list):
        return value
    if value is True:
        return ["1"]
    if value in (False, None, ""):
        return []
    return [str(value)]


class ArgumentsForm(ApiErrorsMixin, forms.Form):
    """The arguments of one report type, one field per argument key."""

    # Its fields are posted together with the report form's, so they carry a prefix.
    PREFIX = "arg"

    def __init__(
        self,
        *args,
        fields: Sequence[ArgumentField],
        options: Mapping[FieldKind, Sequence[Option] | None],
        optional: Collection[str] = (),
        **kwargs,
    ) -> None:
        super().__init__(*args, prefix=self.PREFIX, **kwargs)
        self.fields.update(argument_fields_for(fields, options, optional=optional))
        # Rendered with {% crispy %} inside the page's own <form>; flags show as switches.
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            *(Switch(f.key) if f.type.kind == FieldKind.BOOL else Field(f.key) for f in fields)
        )

    def arguments(self) -> dict[str, list[str]]:
        """Every field's values as the API stores them; call after ``is_valid()``."""
        return {key: _as_values(self.cleaned_data.get(key)) for key in self.fields}

    @classmethod
    def initial_carried_over(cls, post: QueryDict, fields: Sequence[ArgumentField]) -> dict:
        """Values posted for the previous report type that still apply to ``fields``."""
        initial = {}
        for field in fields:
            name = f"{cls.PREFIX}-{field.key}"
            if field.type.kind == FieldKind.BOOL:
                initial[field.key] = name in post
            elif name in post:
                initial[field.key] = post[name]
        return initial


def initial_from_report(report: Report, fields: Sequence[ArgumentField]) -> dict:
    """Initial values for ``ArgumentsForm`` from a stored report's arguments."""
    initial: dict = {}
    for field in fields:
        values = report.values(field.key)
        if field.type.kind == FieldKind.EMAIL:
            initial[field.key] = "\n".join(values)
        elif field.type.kind == FieldKind.BOOL:
            initial[field.key] = "1" in values
        elif values:
            initial[field.key] = values[0]
    return initial


class RunForm(ReportForm):
    """ReportForm's report type and interval, for a report run once and never saved."""

    # Nothing is e-mailed, so recipients are optional: sent only when the person gives some.
    OPTIONAL_ARGUMENTS = ("email",)

    interval = forms.ChoiceField(
        label=_("Period the report covers"), choices=PERIOD_CHOICES, initial="day"
    )
    name = None
    description = None
    active = None
    email_link_only = None


class PackUploadForm(forms.Form):
    """A report pack to import: the whole file is read and checked here, before anything is
    planned or written, and ``pack`` holds it once valid."""

    file = forms.FileField(
        label=_("Report pack"),
        help_text=_("A .json file exported from this dashboard, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    pack: packs.Pack

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Read one byte past the bound, so a bigger file is refused whatever its stated size.
        data = upload.read(packs.MAX_BYTES + 1)
        try:
            self.pack = packs.pack_parse(data)
        except packs.PackError as error:
            raise ValidationError(error.message, code="pack") from None
        return upload


class PackCopyForm(forms.Form):
    """Where to copy the selected reports, and whether their recipients go with them."""

    KEEP = "keep"
    REPLACE = "replace"

    target = forms.ChoiceField(label=_("Copy to company"))
    recipients = forms.ChoiceField(
        label=_("Recipients"),
        choices=[
            (REPLACE, _("Replace them with the addresses below")),
            (KEEP, _("Keep them")),
        ],
        initial=REPLACE,
        widget=forms.RadioSelect,
        help_text=_("The recipients are this company's people; the other company has its own."),
    )
    addresses = EmailListField(
        label=_("New recipients"),
        required=False,
        help_text=_("Each copied report sends to these addresses instead."),
    )

    def __init__(self, *args, companies: Sequence[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(company, company) for company in companies]

    def clean(self):
        cleaned = super().clean()
        replacing = cleaned.get("recipients") == self.REPLACE
        if replacing and "addresses" not in self.errors and not cleaned.get("addresses"):
            self.add_error("addresses", _("Enter at least one address, or keep the recipients."))
        return cleaned

    def new_recipients(self) -> list[str] | None:
        """The addresses that replace the recipients, or None to keep them."""
        if self.cleaned_data["recipients"] == self.KEEP:
            return None
        return self.cleaned_data["addresses"]
