"""Two-factor sign-in to the dashboard: a TOTP authenticator app, with recovery codes.

django-otp does the cryptography and throttles wrong codes; this module holds the pages.
Each person may turn it on; with REQUIRE_2FA_FOR_STAFF, staff must (TwoFactorMiddleware
sends them here until they have). Once it is on, a sign-in counts only after a code: from the
app, or one of the recovery codes, each of which works once.
"""

from __future__ import annotations

import base64

from django import forms
from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
# What a signed-in person still needs ("verify", "setup" or ""), per session; worked out by
# TwoFactorMiddleware, forgotten at each sign-in and whenever two-factor is turned on or off.
NEEDED_SESSION_KEY = "two_factor_needed"
# The page a person asked for before the code was asked (set by TwoFactorMiddleware).
NEXT_SESSION_KEY = "two_factor_next"
_APP = "authenticator"
_RECOVERY = "recovery"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        help_text=gettext_lazy("The 6 digits your authenticator app shows, or a recovery code."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def verified_device(user: AbstractBaseUser, code: str):
    """The person's confirmed device that accepts ``code`` (a recovery code is used up), or
    None. Each device throttles wrong codes itself."""
    code = code.strip().replace(" ", "")
    with transaction.atomic():
        for device in devices_for_user(user, for_verify=True):
            if device.verify_token(code):
                return device
    return None


def _recovery_codes_new(user: AbstractBaseUser) -> list[str]:
    """Replaces the person's recovery codes with new ones, returned to be shown once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=_RECOVERY, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _pending_app(user: AbstractBaseUser) -> TOTPDevice:
    """The authenticator being set up (not yet confirmed), made on first need."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=_APP, confirmed=False)


@receiver(user_logged_in)
def _forget_what_was_needed(sender, request: HttpRequest, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session.pop(NEEDED_SESSION_KEY, None)


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    """Turn two-factor sign-in on (scan, then confirm a code), renew recovery codes, or turn
    it off; the last two need a current code."""
    user = request.user
    enabled = user_has_device(user)
    form = CodeForm(request.POST or None)
    action = request.POST.get("action", "")
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if not enabled and action == "on":
            app = _pending_app(user)
            if app.verify_token(code):
                app.confirmed = True
                app.save(update_fields=["confirmed"])
                otp_login(request, app)
                request.session.pop(NEEDED_SESSION_KEY, None)
                codes = _recovery_codes_new(user)
                messages.success(request, _("Two-factor sign-in is on."))
                return render(request, "registration/recovery_codes.html", {"codes": codes})
        elif enabled and verified_device(user, code) is not None:
            if action == "codes":
                codes = _recovery_codes_new(user)
                return render(request, "registration/recovery_codes.html", {"codes": codes})
            if action == "off":
                TOTPDevice.objects.filter(user=user).delete()
                StaticDevice.objects.filter(user=user).delete()
                request.session.pop(NEEDED_SESSION_KEY, None)
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("two_factor")
        form.add_error("code", _("That code is not valid. Check the time on your phone."))
    context = {"enabled": enabled, "form": form}
    if enabled:
        context["recovery_left"] = StaticToken.objects.filter(
            device__user=user, device__name=_RECOVERY
        ).count()
    else:
        app = _pending_app(user)
        context["secret"] = base64.b32encode(app.bin_key).decode()
        context["uri"] = app.config_url
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/two_factor.html", context, status=status)


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = verified_device(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(request.session.pop(NEXT_SESSION_KEY, "/"))
        form.add_error("code", _("That code is not valid. Check the time on your phone."))
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/two_factor_verify.html", {"form": form}, status=status)
