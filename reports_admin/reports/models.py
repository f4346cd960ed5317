"""Bulk jobs: one action over many reports, run by the task worker.

The job's rows say what to do; the task carries only the job's id. Each report is an item
whose outcome is recorded as the job goes, so a worker that is killed can tell, on its next
start, which call began and never got an answer (``started_at`` set, outcome not started).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BulkJob(models.Model):
    """One bulk action of one person over a set of their company's reports."""

    class Action(models.TextChoices):
        PAUSE = "pause", _("Pause")
        ACTIVATE = "activate", _("Activate")
        SEND = "send", _("Send now")
        DELETE = "delete", _("Delete")
        ADD_RECIPIENT = "add_recipient", _("Add recipient")
        REMOVE_RECIPIENT = "remove_recipient", _("Remove recipient")
        REPLACE_RECIPIENT = "replace_recipient", _("Replace recipient")
        IMPORT = "import", _("Import")

    class State(models.TextChoices):
        # Shown on the confirmation page, not started yet.
        DRAFT = "draft", _("Waiting for confirmation")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        # Weblink refused the token: resumes once the person has connected again.
        WAITING = "waiting", _("Waiting for you to connect again")
        FINISHED = "finished", _("Finished")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="bulk_jobs",
        verbose_name=_("owner"),
    )
    connection = models.ForeignKey(
        "reports_admin.WeblinkConnection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bulk_jobs",
        verbose_name=_("connection"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action)
    # The address to add or remove, or the one to replace; ``new_address`` its successor.
    address = models.CharField(_("address"), max_length=254, blank=True)
    new_address = models.CharField(_("new address"), max_length=254, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.DRAFT)
    # An import: whether its reports are created active (paused unless the person chose so).
    create_active = models.BooleanField(_("create active"), default=False)
    # The confirmation's once-only key: a double post finds the job started already.
    key = models.CharField(_("key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bulk job")
        verbose_name_plural = _("bulk jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.state == self.State.FINISHED


class BulkJobItem(models.Model):
    """One report of a job, and what became of it."""

    class Outcome(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")
        UNKNOWN = "unknown", _("Outcome unknown")

    job = models.ForeignKey(
        BulkJob, on_delete=models.CASCADE, related_name="items", verbose_name=_("job")
    )
    report_id = models.CharField(_("report id"), max_length=20)
    report_name = models.CharField(_("report name"), max_length=255, blank=True)
    # The recipients the confirmation named (send now), as text.
    recipients = models.TextField(_("recipients"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome, default=Outcome.NOT_STARTED
    )
    # The calls the confirmation counted for this report.
    calls = models.PositiveSmallIntegerField(_("calls"), default=0)
    # Weblink's reason for a failure, or why the report was skipped.
    reason = models.TextField(_("reason"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # An import: the pack's report to create, as the file gave it (validated again when run),
    # kept here between the dry run and the apply so no form can tamper with it.
    body = models.JSONField(_("body"), null=True, blank=True)
    # An import's report whose create began in a worker that stopped: looked up by name
    # before it is created, so it is never created twice.
    resumed = models.BooleanField(_("resumed"), default=False)

    class Meta:
        verbose_name = _("bulk job item")
        verbose_name_plural = _("bulk job items")
        ordering = ["id"]
        indexes = [models.Index(fields=["job", "outcome"], name="bulk_item_job_outcome")]

    def __str__(self) -> str:
        return f"{self.report_name or self.report_id}: {self.outcome}"
