"""The latest bulk jobs, for the activity page (the activity wing sits below the reports
wing, so it cannot ask for them itself)."""

from django import template
from django.contrib.auth.models import AbstractBaseUser

from reports_admin.reports.bulk_jobs import bulk_jobs_for
from reports_admin.reports.models import BulkJob

register = template.Library()


@register.simple_tag
def latest_bulk_jobs(user: AbstractBaseUser, company: str = "") -> list[BulkJob]:
    """The latest jobs ``user`` may see: their own, or everyone's for staff; of ``company``
    only, when given."""
    return bulk_jobs_for(user, company=company)
