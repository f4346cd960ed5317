"""The app's models, each kept in the wing of its domain; Django looks for them here."""

from reports_admin.activity.models import Activity
from reports_admin.connection.models import WeblinkConnection
from reports_admin.reports.models import BulkJob, BulkJobItem

__all__ = ["Activity", "BulkJob", "BulkJobItem", "WeblinkConnection"]
