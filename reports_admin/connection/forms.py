"""Forms of the connection page: sign in with Weblink, or paste an access token."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# A token goes into the Authorization header as is: printable ASCII, no spaces.
token_characters = RegexValidator(
    r"\A[\x21-\x7e]+\Z",
    _("An access token contains only unaccented letters, digits and punctuation, no spaces."),
    code="invalid_token",
)

# The company names its pages' URLs (/c/<company>/...): one path segment.
company_name = RegexValidator(
    r"\A(?!\.\.?\Z)[^/\\]+\Z",
    _("A company's name cannot contain / or \\, nor be . or .. alone."),
    code="invalid_company",
)


class WeblinkSignInForm(forms.Form):
    company = forms.CharField(
        label=_("Company"),
        max_length=100,
        validators=[company_name],
        help_text=_("Your company's name at Weblink."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    # render_value=False: the password is never sent back to the browser, even on errors.
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}, render_value=False),
    )
    tfa = forms.CharField(
        label=_("Two-factor code"),
        required=False,
        max_length=12,
        help_text=_("Only if your Weblink account uses two-factor sign-in."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class WeblinkTokenForm(forms.Form):
    company = forms.CharField(
        label=_("Company"),
        max_length=100,
        validators=[company_name],
        help_text=_("Your company's name at Weblink, shown on this page."),
    )
    token = forms.CharField(
        label=_("Access token"),
        strip=True,
        help_text=_("It is checked with Weblink before it is saved, and stored encrypted."),
        validators=[token_characters],
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )
