# em-mock in a container: HTTPS on 9398, HTTP on 9399, default data. It listens on
# 0.0.0.0, so its control API (/mock/) is off unless EM_MOCK_CONTROL_TOKEN is set.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    EM_MOCK_HOST=0.0.0.0 EM_MOCK_PORT=9399 EM_MOCK_HTTPS_PORT=9398 \
    EM_MOCK_TLS_DIR=/opt/em-mock/tls

WORKDIR /opt/em-mock
COPY pyproject.toml README.md ./
COPY app ./app
COPY fixtures ./fixtures
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 em-mock \
    && mkdir -p /opt/em-mock/tls && chown em-mock /opt/em-mock/tls

USER em-mock
EXPOSE 9398 9399
# `em-mock health` asks GET /mock/health (never journaled, never faulted, served with
# --no-control too) at the listener and port the EM_MOCK_* variables describe: HTTP on
# EM_MOCK_PORT, or HTTPS on EM_MOCK_HTTPS_PORT when EM_MOCK_NO_HTTP is set.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD ["em-mock", "health"]
CMD ["em-mock"]
