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
ENV CONTENT_DIR=/app/content LOCALES_DIR=/app/locales PROGRAMS_FILE=/app/content/programs.toml
EXPOSE 8000
CMD ["/app/.venv/bin/python", "-m", "service", "serve", "--host", "0.0.0.0", "--port", "8000"]
