from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from reports_admin.web import favicon, health

urlpatterns = [
    # No trailing slash: what probes and load balancers expect.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Browsers ask for it on every site, whatever the pages link.
    path("favicon.ico", favicon.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    # The language switcher posts here; the sign-in page has it too, so no sign-in needed.
    # Only POST: Django's view would also answer a GET, with a redirect that changes nothing.
    path("i18n/setlang/", login_not_required(require_POST(set_language)), name="set_language"),
    path("", include("reports_admin.urls")),
]
