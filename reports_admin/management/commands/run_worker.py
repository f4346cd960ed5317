"""`manage.py run_worker`: the task worker for bulk jobs. It first settles what a stopped
worker left (django-tasks-db leaves a killed task marked running and never resumes it),
then runs as `db_worker`, with the same options."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from reports_admin.reports import bulk_jobs, tasks


class Command(DbWorkerCommand):
    help = (
        "Resumes unfinished bulk jobs (a report whose call was under way is marked "
        "'outcome unknown', never redone), then runs the task worker (db_worker)."
    )

    def handle(self, *args, **options) -> None:
        for job_id in bulk_jobs.bulk_jobs_resume():
            tasks.bulk_job_task.enqueue(job_id)
        super().handle(*args, **options)
