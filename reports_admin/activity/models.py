"""The activity log's entries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Activity(models.Model):
    """One thing a person did on Weblink through the dashboard, and how it ended.

    Holds who, what, which report (as it was called then), when and the outcome; for a change,
    a delete or a restore also the report's settings and arguments before and after (recipients'
    addresses included, never a token), so it can be restored. Entries are kept for
    ``ACTIVITY_RETENTION_DAYS`` (the ``prune_activity`` command).
    """

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Changed")
        DELETED = "deleted", _("Deleted")
        RESTORED = "restored", _("Restored")
        SENT = "sent", _("Sent")
        DOWNLOADED = "downloaded", _("Downloaded")
        PREVIEWED = "previewed", _("Previewed")
        CONNECTED = "connected", _("Connected")
        DISCONNECTED = "disconnected", _("Disconnected")

    # The outcome of everything that went through; otherwise the message the person saw.
    ACCEPTED = "accepted"

    # Each action as the verb the log leads with: "Done: send", "Failed: send".
    VERBS = {
        Action.CREATED: _("create"),
        Action.CHANGED: _("change"),
        Action.DELETED: _("delete"),
        Action.RESTORED: _("restore"),
        Action.SENT: _("send"),
        Action.DOWNLOADED: _("download"),
        Action.PREVIEWED: _("preview"),
        Action.CONNECTED: _("connect"),
        Action.DISCONNECTED: _("disconnect"),
    }

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("user"),
    )
    # A copy, so the entry still says who once the account is deleted.
    username = models.CharField(_("user name"), max_length=150)
    # The Weblink company acted on: report ids are only unique within one company. Blank for
    # entries from before there could be several and the person's company was not known.
    company = models.CharField(_("company"), max_length=100, blank=True, default="", db_index=True)
    action = models.CharField(_("action"), max_length=16, choices=Action)
    report_id = models.CharField(_("report id"), max_length=20, blank=True)
    report_name = models.CharField(_("report name"), max_length=255, blank=True)
    outcome = models.TextField(_("outcome"))
    # The English original of a failure message the dashboard wrote itself, translated when
    # shown; blank for Weblink's own texts, which are shown as Weblink sent them.
    outcome_id = models.TextField(_("outcome message id"), blank=True, default="")
    # The report's version (reports.versions.version_dump) before and after the action.
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activity")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.report_name or '-'}: {self.outcome}"

    @property
    def accepted(self) -> bool:
        return self.outcome == self.ACCEPTED

    @property
    def outcome_text(self) -> str:
        """The outcome for people: the dashboard's own messages in the active language."""
        return gettext(self.outcome_id) if self.outcome_id else self.outcome

    @property
    def restorable(self) -> bool:
        """The action went through and the entry keeps the version from before it."""
        return self.accepted and self.before is not None

    @property
    def verb(self) -> str:
        """The action as a verb, in the active language."""
        return str(self.VERBS.get(self.action, self.action))
