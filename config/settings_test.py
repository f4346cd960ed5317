"""Settings for the test suite: the real settings with test-only secrets filled in."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-django-checks")
# A fixed, public test key: the 32 bytes of "test-only-key-32-bytes-long-1234".
os.environ.setdefault("WEBLINK_TOKEN_KEYS", "test:dGVzdC1vbmx5LWtleS0zMi1ieXRlcy1sb25nLTEyMzQ=")

# The suite and the browser tests run over plain http://127.0.0.1, where browsers drop Secure
# and __Host- cookies; tests/test_security.py checks the production values on their own.
os.environ.setdefault("SECURE_COOKIES", "false")
# The simulator app: the tests start `manage.py weblink_simulator` (production has none).
os.environ.setdefault("WEBLINK_SIMULATOR", "true")

# Local memory unless CACHE_URL names another (CI's second pass: Redis).
os.environ.setdefault("CACHE_URL", "locmemcache://")

from config.settings import *  # noqa: E402, F403

# No collectstatic before the tests: the plain storage needs no manifest, and with no
# STATIC_ROOT WhiteNoise does not look for one (the live server serves from the app folders).
STATIC_ROOT = None
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Django's test client names its host "testserver"; only the tests accept it.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405

# Fast hashing: the suite creates many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The test database is a file, not memory: the bulk-job tests run the task worker
# (`manage.py run_worker`) as a process of its own on the same database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"reports-admin-test-{os.getpid()}.sqlite3")
    }
