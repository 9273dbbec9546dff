"""The running line: what the edges share (catalogs, programs, signature check, store), built once."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from twilio.request_validator import RequestValidator

from service.catalogs import Catalogs, load_catalogs
from service.content import load_content
from service.privacy import load_hash_key
from service.programs import Programs, load_programs
from service.settings import Settings
from service.store import SqlStore, open_store
from service.store.spool import Spool
from service.store.versions import VersionStore

if TYPE_CHECKING:
    from service.group_commit import GroupCommit

log = logging.getLogger("service.line")

NO_TOKEN_WARNING = (
    "TWILIO_AUTH_TOKEN is not set: every call to the webhook will be refused with 403. "
    "Set it to the Auth Token of the Twilio account whose numbers point here. "
    "'python -m service text BODY' still works without it."
)
SPOOL_FILE = "spool.jsonl"
NO_HELP_CONTACT_WARNING = (
    "No support contact for program(s) %s: their HELP reply names none, and carriers require one. "
    "Set HELP_CONTACT (the default program) or help_contact in the programs file."
)


@dataclass(eq=False)
class Line:
    settings: Settings
    catalogs: Catalogs
    programs: Programs
    # None when no Auth Token is configured: nothing can be verified, all is refused.
    validator: RequestValidator | None
    store: SqlStore
    versions: VersionStore
    spool: Spool
    hash_key: bytes = field(repr=False)
    # (count, newest id) of the catalog versions this replica serves ((0, 0): the PO files as shipped).
    catalog_version: tuple[int, int] = (0, 0)
    # The webhook's writes on embedded SQLite, committed together; None on PostgreSQL (threads, a pool).
    group: GroupCommit | None = None


def configured_programs(settings: Settings) -> Programs:
    """The programs file with the default program's support contact from HELP_CONTACT."""
    programs = load_programs(settings.programs_file, default_help_contact=settings.help_contact)
    silent = [program.id for program in programs.all if not program.help_contact]
    if silent:
        log.warning(NO_HELP_CONTACT_WARNING, ", ".join(silent))
    return programs


def build_line(settings: Settings) -> Line:
    """Load content, catalogs and programs and open the store, once, at start."""
    token = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else ""
    if not token:
        log.warning(NO_TOKEN_WARNING)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    configured_key = settings.phone_hash_key.get_secret_value() if settings.phone_hash_key else None
    store = open_store(settings.sqlalchemy_url)
    line = Line(
        settings=settings,
        catalogs=load_catalogs(content=load_content(settings.content_dir), locales_dir=settings.locales_dir),
        programs=configured_programs(settings),
        validator=RequestValidator(token) if token else None,
        store=store,
        versions=VersionStore(store),
        spool=Spool(settings.data_dir / SPOOL_FILE),
        hash_key=load_hash_key(configured=configured_key, data_dir=settings.data_dir),
    )
    if store.inline:
        from service.group_commit import GroupCommit  # it answers messages: it needs this module's Line

        line.group = GroupCommit(line)
    return line
