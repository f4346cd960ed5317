from django.contrib import admin
from django.urls import include, path

from reports_admin import health

urlpatterns = [
    # No trailing slash: what probes and load balancers expect.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("", include("reports_admin.urls")),
]
