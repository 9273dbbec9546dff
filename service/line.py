"""The running line: what the edges share (content, store, spool, hasher, flow), built once at start.

Nothing here changes after the start but the content snapshot, which is
swapped whole (service.snapshot) when translations change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from service.batching import Batcher
from service.catalog_check_ussd import contact_problems
from service.catalogs import Catalogs, load_catalogs
from service.config_errors import ConfigError
from service.content import load_content
from service.core.respond import keyword_index
from service.flow import Flow
from service.privacy import SenderHasher, load_hash_key
from service.programs import Programs, load_programs
from service.sealed import Sealer
from service.settings import Settings
from service.snapshot import ContentSnapshot, LiveContent
from service.store import SqlStore, open_store
from service.store.reviews import ReviewStore
from service.store.spool import Spool
from service.store.versions import VersionStore

if TYPE_CHECKING:
    from service.outbox import Sender

log = logging.getLogger("service.line")

NO_TOKEN_WARNING = (
    "TWILIO_AUTH_TOKEN is not set: every call to the webhook will be refused with 403. "
    "Set it to the Auth Token of the Twilio account whose numbers point here. "
    "'python -m service text BODY' still works without it."
)
SPOOL_FILE = "spool.jsonl"
# PostgreSQL: groups answered at once, each on its own connection (bench/: 2,850 req/s with one, 3,300 with 3).
GROUPS_IN_FLIGHT = 3
NO_API_WARNING = (
    "AFRICASTALKING_USERNAME or AFRICASTALKING_API_KEY is not set: replies to Africa's Talking texts are "
    "queued but not sent (USSD is answered as usual)."
)
NO_HELP_CONTACT_WARNING = (
    "No support contact for program(s) %s: their HELP reply names none, and carriers require one. "
    "Set HELP_CONTACT (the default program) or help_contact in the programs file."
)


@dataclass(frozen=True, eq=False)
class Line:
    settings: Settings
    content: LiveContent
    store: SqlStore
    versions: VersionStore
    reviews: ReviewStore
    spool: Spool
    hash_key: bytes = field(repr=False)
    flow: Flow = field(repr=False)
    # The webhook's messages, gathered into groups for the flow.
    batcher: Batcher = field(repr=False)
    # Sends the outbox's replies; None without Africa's Talking's API credentials (they wait queued).
    sender: Sender | None = field(default=None, repr=False)

    @property
    def catalogs(self) -> Catalogs:
        """The catalogs served now."""
        return self.content.snapshot.catalogs

    @property
    def programs(self) -> Programs:
        """The programs served now."""
        return self.content.snapshot.programs

    @property
    def catalog_version(self) -> tuple[int, ...]:
        """(count, newest id) of the catalog versions, then of the review events, served now."""
        return self.content.snapshot.catalog_version


def configured_programs(settings: Settings) -> Programs:
    """The programs file with the default program's support contact from HELP_CONTACT."""
    programs = load_programs(settings.programs_file, default_help_contact=settings.help_contact)
    silent = [program.id for program in programs.all if not program.help_contact]
    if silent:
        log.warning(NO_HELP_CONTACT_WARNING, ", ".join(silent))
    return programs


def build_line(settings: Settings) -> Line:
    """Load content, catalogs and programs and open the store, once, at start."""
    if not settings.twilio_auth_token:
        log.warning(NO_TOKEN_WARNING)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    configured_key = settings.phone_hash_key.get_secret_value() if settings.phone_hash_key else None
    hash_key = load_hash_key(configured=configured_key, data_dir=settings.data_dir)
    store = open_store(settings.store_url)
    catalogs = load_catalogs(content=load_content(settings.content_dir), locales_dir=settings.locales_dir)
    keyword_index(catalogs)  # built now, not by the first message inside its transaction
    programs = configured_programs(settings)
    unfit = contact_problems(catalogs, programs.all)
    if unfit:
        raise ConfigError(f"{settings.programs_file}: {unfit[0]}")
    content = LiveContent(ContentSnapshot(catalogs=catalogs, programs=programs))
    spool = Spool(settings.data_dir / SPOOL_FILE)
    sealer = Sealer(hash_key)
    sender = outbox_sender(settings, store=store, sealer=sealer)
    flow = Flow(unit=store.unit, spool=spool, hasher=SenderHasher(hash_key), content=content, sealer=sealer,
                on_queued=sender.wake if sender else lambda: None)  # fmt: skip
    return Line(
        settings=settings,
        content=content,
        store=store,
        versions=VersionStore(store),
        reviews=ReviewStore(store),
        spool=spool,
        hash_key=hash_key,
        flow=flow,
        batcher=Batcher(flow.handle, inline=store.unit.sqlite, in_flight=1 if store.unit.sqlite else GROUPS_IN_FLIGHT),
        sender=sender,
    )


def outbox_sender(settings: Settings, *, store: SqlStore, sealer: Sealer) -> Sender | None:
    """The outbox's sender through Africa's Talking's API, if its credentials are set."""
    key = settings.africastalking_api_key
    if not (settings.africastalking_username and key and key.get_secret_value()):
        if settings.africastalking_callback_key:
            log.warning(NO_API_WARNING)
        return None
    # Imported only here: aiohttp costs a line that sends nothing later 23 MiB.
    from service.channels.africastalking_api import api_of
    from service.outbox import Sender

    api = api_of(settings)
    assert api is not None
    return Sender(unit=store.unit, api=api, sealer=sealer, timeout=settings.outbox_send_timeout_seconds,
                  dead_after=settings.outbox_dead_after_seconds, concurrency=settings.outbox_concurrency)  # fmt: skip
