# The same steps as `make run`: a venv, the locked packages and the project installed into it, `python -m service serve`.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# The runtime lock first (its own layer, rebuilt only when the lock changes), then the project without resolving.
COPY requirements/runtime.txt ./requirements/runtime.txt
RUN python -m venv /app/.venv && /app/.venv/bin/pip install --no-cache-dir --require-hashes -r requirements/runtime.txt
COPY pyproject.toml README.md ./
COPY service ./service
RUN /app/.venv/bin/pip install --no-cache-dir --no-deps .
COPY content ./content
COPY locales ./locales
RUN useradd --system --uid 10001 --home /app infoline && mkdir -p /app/var && chown infoline /app/var
USER infoline
ENV CONTENT_DIR=/app/content LOCALES_DIR=/app/locales PROGRAMS_FILE=/app/content/programs.toml DATA_DIR=/app/var
VOLUME ["/app/var"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["/app/.venv/bin/python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"]
CMD ["/app/.venv/bin/python", "-m", "service", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
