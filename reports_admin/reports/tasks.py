"""The task the worker runs for a bulk job, and when it is queued: once the job is confirmed
(after the transaction commits), again when a worker starts, and when the person connects
again after a 401 stopped their job.

A task carries only the job's id: the job's rows say what to do, and no token or report
list ever sits in the task queue.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.tasks import task

from reports_admin.connection.models import WeblinkConnection
from reports_admin.reports import bulk_jobs
from reports_admin.reports.models import BulkJob


@task
def bulk_job_task(job_id: int) -> None:
    """Runs the bulk job ``job_id`` (in the worker)."""
    bulk_jobs.bulk_job_run(job_id)


def bulk_job_enqueue(job_id: int) -> None:
    """Queues the job's task once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: bulk_job_task.enqueue(job_id))


@receiver(post_save, sender=WeblinkConnection)
def bulk_jobs_resume_on_connect(sender: type, instance: WeblinkConnection, **kwargs: Any) -> None:
    """The person connected again: their jobs that a 401 stopped go on."""
    if instance.state != WeblinkConnection.State.CONNECTED or instance.needs_reconnecting:
        return
    waiting = BulkJob.objects.filter(owner_id=instance.user_id, state=BulkJob.State.WAITING)
    for job_id in waiting.values_list("pk", flat=True):
        BulkJob.objects.filter(pk=job_id).update(connection=instance, state=BulkJob.State.QUEUED)
        bulk_job_enqueue(job_id)
