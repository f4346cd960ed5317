"""A person's connection to the Weblink API."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports_admin.connection.encrypted_field import EncryptedTokenField
from reports_admin.connection.token_keys import token_fingerprint
from reports_admin.weblink.metadata import TokenGrant


class WeblinkConnection(models.Model):
    """A person's connection to one Weblink company: their tokens, stored encrypted.

    A person holds at most one per company; the tokens are bound to both (see
    EncryptedTokenField), so a row's ciphertext never opens as another company's.
    """

    class State(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        EXPIRED = "expired", _("Expired")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="weblink_connections",
        verbose_name=_("user"),
    )
    company = models.CharField(_("company"), max_length=100)
    # Sign-in proves the company (Weblink accepted its client id); a company typed with a
    # pasted token is only what the person said: shown as such, and nothing is keyed on it.
    company_verified = models.BooleanField(_("company verified"), default=True)
    username = models.CharField(_("Weblink user name"), max_length=150, blank=True)
    access_token = EncryptedTokenField(_("access token"), associated_data_field="user_id")
    refresh_token = EncryptedTokenField(
        _("refresh token"), associated_data_field="user_id", null=True, blank=True
    )
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True, help_text=_("When the API said the token expires.")
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.CONNECTED)
    fingerprint = models.CharField(_("fingerprint"), max_length=16, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("Weblink connection")
        verbose_name_plural = _("Weblink connections")
        ordering = ["company"]
        constraints = [
            models.UniqueConstraint(fields=["user", "company"], name="one_connection_per_company")
        ]

    def __str__(self) -> str:
        return f"{self.username or '-'} at {self.company} (user {self.user_id})"

    def set_tokens(self, *, access_token: str, refresh_token: str | None = None) -> None:
        """Stores new tokens, encrypted, and the access token's fingerprint."""
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.fingerprint = token_fingerprint(access_token)

    def accept_grant(self, grant: TokenGrant) -> None:
        """Takes the tokens of a sign-in or refresh: connected and verified as of now."""
        now = timezone.now()
        self.set_tokens(access_token=grant.access_token, refresh_token=grant.refresh_token)
        self.expires_at = now + timedelta(seconds=grant.expires_in) if grant.expires_in else None
        self.verified_at = now
        self.state = self.State.CONNECTED

    @property
    def token_unreadable(self) -> bool:
        """A token is stored that no configured key can read (key removed, tampered, moved)."""
        return any(
            field.is_unreadable(self)
            for field in self._meta.concrete_fields
            if isinstance(field, EncryptedTokenField)
        )

    @property
    def needs_reconnecting(self) -> bool:
        """The person must connect again: the API rejected the token, or it cannot be read."""
        return self.state == self.State.EXPIRED or self.token_unreadable
