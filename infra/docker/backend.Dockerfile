# syntax=docker/dockerfile:1
# The backend image: API (uvicorn), worker (arq) and operator commands (python -m app.cli).
# Build from the repository root: docker build -f infra/docker/backend.Dockerfile .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: a virtualenv from the pinned lock file (wheels only: no compiler needed or shipped) ---
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
COPY backend/requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --no-deps --only-binary=:all: -r /tmp/requirements.lock \
    && /opt/venv/bin/python -m pip uninstall --yes --quiet pip
COPY backend/app /app/app
COPY backend/migrations /app/migrations
COPY backend/alembic.ini /app/alembic.ini
# Byte-compile once here; the runtime filesystem can then be read-only.
RUN python -m compileall -q /app /opt/venv/lib

# --- runtime: the interpreter, the virtualenv and the application; no tests, no fakes, no tools ----
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="vpnshop-backend" \
      org.opencontainers.image.licenses="MIT"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LOG_JSON=true
RUN groupadd --system --gid 10001 vpnshop \
    && useradd --system --uid 10001 --gid vpnshop --home-dir /app --no-create-home --shell /usr/sbin/nologin vpnshop
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# docker-compose.yml runs `python -m app.cli migrate` first and sets the worker's command.
CMD ["uvicorn", "app.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", \
     "--loop", "uvloop", "--http", "httptools", "--forwarded-allow-ips", "*", "--no-access-log", \
     "--timeout-graceful-shutdown", "20"]
