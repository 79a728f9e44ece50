# em-mock in a container: HTTP on 9399 (and HTTPS on 9398 once enabled), default data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    EM_MOCK_HOST=0.0.0.0 EM_MOCK_PORT=9399

WORKDIR /opt/em-mock
COPY pyproject.toml README.md ./
COPY app ./app
COPY fixtures ./fixtures
RUN pip install --no-cache-dir . && useradd --system --uid 10001 em-mock

USER em-mock
EXPOSE 9398 9399
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9399/api/', timeout=2)"
CMD ["em-mock"]
