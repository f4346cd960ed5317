"""Views around the dashboard's own accounts."""

import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def locked_out(request: HttpRequest, response: HttpResponse, credentials: dict) -> HttpResponse:
    """django-axes' answer to a throttled sign-in: says when to try again."""
    cool_off = get_cool_off(request)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 1
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
