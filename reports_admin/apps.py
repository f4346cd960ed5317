from django.apps import AppConfig


class ReportsAdminConfig(AppConfig):
    name = "reports_admin"
    verbose_name = "Weblink Reports Admin"
