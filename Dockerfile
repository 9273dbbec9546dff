# The same steps as `make run`: a venv, the project installed into it, `python -m service serve`.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
RUN python -m venv /app/.venv && /app/.venv/bin/pip install --no-cache-dir .
COPY content ./content
COPY locales ./locales
RUN useradd --system --uid 10001 --home /app infoline && mkdir -p /app/var && chown infoline /app/var
USER infoline
ENV CONTENT_DIR=/app/content LOCALES_DIR=/app/locales PROGRAMS_FILE=/app/content/programs.toml DATA_DIR=/app/var
VOLUME ["/app/var"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["/app/.venv/bin/python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"]
CMD ["/app/.venv/bin/python", "-m", "service", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
