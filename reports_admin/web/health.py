"""Health endpoints for the load balancer and the container runtime.

``/healthz`` says the process answers; ``/readyz`` says it can serve: it is not stopping, and
the database and the cache each answer a real round trip. Neither asks the Weblink API, so an
outage upstream does not take every instance out of the load balancer. Neither needs a
sign-in, and neither says which versions run.
"""

from __future__ import annotations

import logging
import uuid

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reports_admin import draining

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 whenever the process can answer at all."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """200 when the database and the cache both answer, 503 (saying which failed) otherwise;
    503 at once when the process is stopping (SIGTERM), so a load balancer that polls this
    stops sending it requests while it finishes those it holds."""
    if draining.is_draining():
        return JsonResponse({"status": "stopping"}, status=503)
    checks = {"database": _database_answers(), "cache": _cache_answers()}
    ready = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            "checks": {name: "ok" if ok else "unavailable" for name, ok in checks.items()},
        },
        status=200 if ready else 503,
    )


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        # Any failure means "not ready"; each back-end raises its own kind.
        logger.warning("Readiness: the database does not answer", exc_info=True)
        return False


def _cache_answers() -> bool:
    # A key of its own per probe, so that concurrent probes cannot see each other's value.
    key = f"readyz:{uuid.uuid4().hex}"
    value = uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=30)
        answered = cache.get(key) == value
        cache.delete(key)
    except Exception:
        logger.warning("Readiness: the cache does not answer", exc_info=True)
        return False
    return answered
