"""The service's one settings class, read from the environment when asked for, not at import."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.catalogs import DEFAULT_LOCALES_DIR
from service.content import DEFAULT_CONTENT_DIR
from service.programs import DEFAULT_PROGRAMS_FILE

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "var"


class Settings(BaseSettings):
    """Every knob of the service; each field is the environment variable of the same name."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    # Twilio signs every webhook with this; without it every webhook call is refused.
    twilio_auth_token: SecretStr | None = None
    # The public URL Twilio calls, when the service sits behind a proxy that
    # changes scheme, host or port (e.g. https://line.example.org).
    public_base_url: str | None = None
    # Embedded default: a SQLite file in data_dir. postgresql://… for several replicas.
    database_url: str | None = None
    # Where the SQLite file, the opt-out spool and a generated PHONE_HASH_KEY live.
    data_dir: Path = DEFAULT_DATA_DIR
    # Key of the HMAC that phone numbers are stored under. Replicas must share it.
    phone_hash_key: SecretStr | None = None
    content_dir: Path = DEFAULT_CONTENT_DIR
    locales_dir: Path = DEFAULT_LOCALES_DIR
    programs_file: Path = DEFAULT_PROGRAMS_FILE
    # Twilio's own limit for an inbound body is 1,600 characters; anything far
    # larger is not from Twilio.
    max_request_bytes: int = 64 * 1024
    log_level: str = "INFO"
    # The admin pages: one token (label "admin"), and/or labelled ones as
    # "alice:token1,bob:token2" so every change records who made it. None: admin off.
    admin_token: SecretStr | None = None
    admin_tokens: SecretStr | None = None
    # Browsers send a Secure cookie only over HTTPS (and to localhost).
    admin_cookie_secure: bool = True

    def admin_credentials(self) -> dict[str, str]:
        """label -> token for every configured admin token."""
        credentials = {"admin": self.admin_token.get_secret_value()} if self.admin_token else {}
        listed = self.admin_tokens.get_secret_value() if self.admin_tokens else ""
        for entry in filter(None, (part.strip() for part in listed.split(","))):
            label, _, token = entry.partition(":")
            if label and token:
                credentials[label.strip()] = token.strip()
        return {label: token for label, token in credentials.items() if token}

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL with a driver SQLAlchemy can use (postgresql:// -> psycopg)."""
        url = self.database_url or f"sqlite:///{self.data_dir / 'infoline.db'}"
        for plain in ("postgresql://", "postgres://"):
            if url.startswith(plain):
                return "postgresql+psycopg://" + url[len(plain):]
        return url


def get_settings(**overrides) -> Settings:
    """Settings from the environment, with explicit overrides on top."""
    return Settings(**overrides)
