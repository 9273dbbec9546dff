"""The deployment files: a valid compose file and an image built the way `make run` builds."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_runs_the_line_and_postgresql_with_healthchecks_and_volumes():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    line, db = compose["services"]["line"], compose["services"]["db"]
    assert line["build"] == "." and "healthcheck" in line and "healthcheck" in db
    assert line["depends_on"]["db"]["condition"] == "service_healthy"
    assert line["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert "PHONE_HASH_KEY" in line["environment"] and "TWILIO_AUTH_TOKEN" in line["environment"]
    assert set(compose["volumes"]) == {"db-data", "line-spool"}


def test_the_image_is_slim_non_root_and_takes_make_runs_steps():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert "USER infoline" in dockerfile and "python -m venv" in dockerfile and "pip install" in dockerfile
    assert '"-m", "service", "serve"' in dockerfile and "HEALTHCHECK" in dockerfile
    makefile = (ROOT / "Makefile").read_text()
    assert "$(PYTHON) -m venv" in makefile and "pip install" in makefile and "-m service serve" in makefile


def test_the_package_ships_its_migrations_and_templates():
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["service"]
    for pattern in data:
        assert list((ROOT / "service").glob(pattern)), pattern
    assert "web/templates/*.html" in data and "store/migrations/versions/*.py" in data
