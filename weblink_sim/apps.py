from django.apps import AppConfig


class WeblinkSimConfig(AppConfig):
    name = "weblink_sim"
    verbose_name = "Weblink API simulator"
