from django.apps import AppConfig


class ReportsAdminConfig(AppConfig):
    name = "reports_admin"
    verbose_name = "Weblink Reports Admin"

    def ready(self) -> None:
        # Imported for their side effects: registering the system check and the signals
        # (tasks: a person connecting again resumes their bulk jobs).
        from reports_admin.connection import checks, signals  # noqa: F401
        from reports_admin.reports import tasks  # noqa: F401
        from reports_admin.web import two_factor  # noqa: F401
