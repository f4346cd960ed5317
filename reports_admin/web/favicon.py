"""``/favicon.ico``, which browsers ask for whatever the page links: the static icon."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_safe


@login_not_required
@require_safe
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """A redirect to the icon's content-hashed static URL, which WhiteNoise serves and
    browsers cache for good; the redirect itself is not permanent, as that URL changes."""
    return HttpResponseRedirect(static("favicon.svg"))
