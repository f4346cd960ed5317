"""What Django's error pages and error e-mails may show of a request and its frames."""

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter


class TokenSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    """Hides ``sensitive_variables`` and ``sensitive_post_parameters`` with DEBUG on too.

    Django's own filter steps aside when DEBUG is on, so its debug page would show a pasted
    token, a Weblink password and the Authorization header; a token must never show.
    """

    def is_active(self, request: HttpRequest | None) -> bool:
        return True
