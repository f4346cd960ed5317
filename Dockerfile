# The production image: `docker build -t weblink-reports-admin .` (see docs/deploying.md).
# Two stages: the builder installs the dependencies into a virtual environment; the runtime
# gets that environment and the code, and nothing used only to build them.

FROM python:3.13-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
WORKDIR /src
# The dependency list alone first, so that a change to the code reuses this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
    && /venv/bin/pip install --no-cache-dir -r requirements.txt
# Translations: gettext's msgfmt compiles locale/*.po into the .mo files Django reads (the
# .mo files are build output, not kept in git). gettext stays in this stage only.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
COPY locale ./locale
RUN /venv/bin/django-admin compilemessages --verbosity 0

FROM python:3.13-slim AS runtime
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8000 \
    STATIC_ROOT=/app/staticfiles
# A fixed, unprivileged id with no home and no shell; numeric so that orchestrators can tell
# it is not root.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin app
COPY --from=builder /venv /venv
WORKDIR /app
# Owned by root and only readable by the app user: the process cannot change its own code.
COPY . .
COPY --from=builder /src/locale ./locale
# Hashed, compressed static files, collected once here so the container never writes them.
# The settings insist on a SECRET_KEY; these throwaway values exist only for this command
# and are not kept in the image's environment.
RUN DEBUG=false \
    SECRET_KEY=collectstatic-only-not-a-secret \
    WEBLINK_TOKEN_KEYS=build:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA \
    python manage.py collectstatic --noinput --verbosity 0

USER 10001:10001
EXPOSE 8000
# No curl in the slim image: Python asks /healthz, with a host name that ALLOWED_HOSTS accepts.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; host = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('*.') or 'localhost'; u.urlopen(u.Request(f\"http://127.0.0.1:{os.environ['PORT']}/healthz\", headers={'Host': host}), timeout=4)"]
CMD ["gunicorn", "--config", "config/gunicorn.py"]
