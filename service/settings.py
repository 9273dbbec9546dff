"""The service's one settings class, read from the environment when asked for, not at import."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import PositiveFloat, PositiveInt, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from service.admin_tokens import MIN_ADMIN_TOKEN_CHARS, AdminEntry, check_entries, read_entries
from service.catalogs import DEFAULT_LOCALES_DIR
from service.config_errors import from_validation
from service.content import DEFAULT_CONTENT_DIR
from service.host_policy import policy_for
from service.privacy import MIN_KEY_CHARS
from service.programs import DEFAULT_PROGRAMS_FILE

URL_SAFE_KEY = re.compile(r"[A-Za-z0-9._~-]+")
# What `make run` is reached at; an operator behind a proxy sets PUBLIC_BASE_URL or ALLOWED_HOSTS.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "var"
# Africa's Talking's documented hosts for /version1/messaging.
LIVE_API = "https://api.africastalking.com"
SANDBOX_API = "https://api.sandbox.africastalking.com"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Settings(BaseSettings):
    """Every knob of the service; each field is the environment variable of the same name."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    # Twilio signs every webhook with this; without it every webhook call is refused.
    twilio_auth_token: SecretStr | None = None
    # Africa's Talking does not sign its USSD callbacks: its callback URL carries this as ?key=…;
    # without it every USSD call is refused.
    africastalking_callback_key: SecretStr | None = None
    # Africa's Talking's messaging API, which sends the replies to its SMS (service/outbox.py). Without a
    # username and API key nothing is sent: replies wait in the outbox. The URL defaults to Africa's
    # Talking's live API, or its sandbox when the username is "sandbox".
    africastalking_username: str | None = None
    africastalking_api_key: SecretStr | None = None
    africastalking_api_url: str | None = None
    # The outbox's sender: one API call waits this long at most; a reply not sent this long after its
    # message (the gateway down, or failing with 5xx) is given up on and shown in the admin as dead.
    outbox_send_timeout_seconds: PositiveFloat = 10.0
    outbox_dead_after_seconds: PositiveFloat = 60 * 60
    # API calls in flight at once, per process.
    outbox_concurrency: PositiveInt = 16
    # The public URL Twilio calls, when the service sits behind a proxy that
    # changes scheme, host or port (e.g. https://line.example.org).
    public_base_url: str | None = None
    # Without PUBLIC_BASE_URL the URL Twilio signed is built from the Host header, so only these
    # hosts are answered (comma-separated; "*" for any). The loopback names let `make run` work.
    allowed_hosts: Annotated[tuple[str, ...], NoDecode] = LOOPBACK_HOSTS
    # A request whose headers are not all there this long after its first byte (or after its connection
    # opened) is cut off; its body gets this long after the headers, plus a second for every
    # REQUEST_BODY_MIN_BYTES_PER_SECOND it declares; then 408 and the connection is closed.
    request_head_timeout_seconds: PositiveFloat = 10.0
    request_body_timeout_seconds: PositiveFloat = 20.0
    request_body_min_bytes_per_second: PositiveFloat = 8192.0
    # Embedded default: a SQLite file in data_dir. postgresql://… for several replicas.
    database_url: str | None = None
    # Where the SQLite file, the opt-out spool and a generated PHONE_HASH_KEY live.
    data_dir: Path = DEFAULT_DATA_DIR
    # Key of the HMAC that phone numbers are stored under. Replicas must share it.
    phone_hash_key: SecretStr | None = None
    content_dir: Path = DEFAULT_CONTENT_DIR
    locales_dir: Path = DEFAULT_LOCALES_DIR
    programs_file: Path = DEFAULT_PROGRAMS_FILE
    # The default program's support contact, which HELP names (carriers require one):
    # a name and a number or address, at most 40 characters. Unset: HELP names none.
    help_contact: str = ""
    # Twilio's own limit for an inbound body is 1,600 characters; anything far
    # larger is not from Twilio.
    max_request_bytes: int = 64 * 1024
    log_level: str = "INFO"
    # "auto": readable lines when stderr is a terminal (make run), JSON lines otherwise (production).
    log_format: Literal["auto", "json", "text"] = "auto"
    # The admin pages: one token (label "admin"), and/or labelled ones as "alice:token1,bob:reviewer:token2"
    # so every change records who made it, each an admin unless a role is given. None: admin off.
    admin_token: SecretStr | None = None
    admin_tokens: SecretStr | None = None
    # Browsers send a Secure cookie only over HTTPS (and to localhost).
    admin_cookie_secure: bool = True
    # Admin sessions end after this long without a request, and this long after login whatever happens.
    admin_session_idle_seconds: PositiveInt = 30 * 60
    admin_session_max_seconds: PositiveInt = 12 * 60 * 60
    # Failed logins (or bearer tokens) allowed per client and per label in the window; then 429 until it passes.
    admin_login_attempts: PositiveInt = 5
    admin_login_window_seconds: PositiveInt = 15 * 60

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: Any) -> Any:
        return tuple(filter(None, (part.strip() for part in value.split(",")))) if isinstance(value, str) else value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    @field_validator("phone_hash_key")
    @classmethod
    def _long_enough_key(cls, value: SecretStr | None) -> SecretStr | None:
        # Said here, at start, rather than when the store first hashes a number.
        if value is not None and 0 < len(value.get_secret_value()) < MIN_KEY_CHARS:
            raise ValueError(f"PHONE_HASH_KEY must be at least {MIN_KEY_CHARS} characters (e.g. openssl rand -hex 32)")
        return value

    @field_validator("africastalking_callback_key")
    @classmethod
    def _long_enough_callback_key(cls, value: SecretStr | None) -> SecretStr | None:
        # It is all that stands between anyone who finds the URL and her language, like an admin token.
        if value is not None and 0 < len(value.get_secret_value()) < MIN_ADMIN_TOKEN_CHARS:
            raise ValueError(
                f"AFRICASTALKING_CALLBACK_KEY must be at least {MIN_ADMIN_TOKEN_CHARS} characters"
                " (e.g. openssl rand -hex 32)"
            )
        # It travels in a URL: a + or % would arrive decoded, and no genuine call would match.
        if value is not None and not URL_SAFE_KEY.fullmatch(value.get_secret_value() or "x"):
            raise ValueError(
                "AFRICASTALKING_CALLBACK_KEY may hold only letters, digits and . _ ~ - (e.g. openssl rand -hex 32)"
            )
        return value

    @model_validator(mode="after")
    def _some_host_is_answered(self) -> Settings:
        if not self.public_base_url and not self.allowed_hosts:
            raise ValueError("ALLOWED_HOSTS is empty and PUBLIC_BASE_URL unset: no request would be answered")
        policy_for(allowed_hosts=self.allowed_hosts, public_base_url=self.public_base_url)
        return self

    @model_validator(mode="after")
    def _admin_tokens_are_usable(self) -> Settings:
        check_entries(self._admin_entries())
        return self

    def _admin_entries(self) -> Iterator[AdminEntry]:
        """Every configured admin token with its label and role (service.admin_tokens reads them)."""
        return read_entries(
            admin_token=self.admin_token.get_secret_value() if self.admin_token else "",
            admin_tokens=self.admin_tokens.get_secret_value() if self.admin_tokens else "",
        )

    def admin_accounts(self) -> dict[str, AdminEntry]:
        """label -> its token and role, for every configured admin token (checked when the settings were read)."""
        return {entry.label: entry for entry in self._admin_entries()}

    @property
    def africastalking_api_base(self) -> str:
        """The messaging API's base URL: AFRICASTALKING_API_URL, else the sandbox's or the live one."""
        if self.africastalking_api_url:
            return self.africastalking_api_url.rstrip("/")
        return SANDBOX_API if self.africastalking_username == "sandbox" else LIVE_API

    @property
    def store_url(self) -> str:
        """The database: DATABASE_URL, else the embedded SQLite file in DATA_DIR (the store picks the driver)."""
        return self.database_url or f"sqlite:///{self.data_dir / 'infoline.db'}"


def get_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with explicit overrides on top; ConfigError names a variable that
    does not hold a usable value."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise from_validation(error) from None
