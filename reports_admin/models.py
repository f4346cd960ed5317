"""The app's models, each kept in the wing of its domain; Django looks for them here."""

from reports_admin.activity.models import Activity
from reports_admin.connection.models import WeblinkConnection

__all__ = ["Activity", "WeblinkConnection"]
