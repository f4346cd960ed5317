from django.apps import AppConfig


class ReportsAdminConfig(AppConfig):
    name = "reports_admin"
    verbose_name = "Weblink Reports Admin"

    def ready(self) -> None:
        # Imported for their side effects: registering the system check and the signals.
        from reports_admin.connection import checks, signals  # noqa: F401
        from reports_admin.web import two_factor  # noqa: F401
