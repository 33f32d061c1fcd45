# syntax=docker/dockerfile:1
# The Telegram bot image (long polling; talks to the API over HTTP only).
# Build from the repository root: docker build -f infra/docker/bot.Dockerfile .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
COPY bot/requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --no-deps --only-binary=:all: -r /tmp/requirements.lock \
    && /opt/venv/bin/python -m pip uninstall --yes --quiet pip
COPY bot/bot /app/bot
RUN python -m compileall -q /app /opt/venv/lib

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="vpnshop-bot" \
      org.opencontainers.image.licenses="MIT"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN groupadd --system --gid 10001 vpnshop \
    && useradd --system --uid 10001 --gid vpnshop --home-dir /app --no-create-home --shell /usr/sbin/nologin vpnshop
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER 10001:10001
CMD ["python", "-m", "bot"]
