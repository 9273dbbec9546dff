"""Africa's Talking's messaging API (POST /version1/messaging): one queued reply sent as one SMS.

Direct calls with aiohttp (installed for twilio's async client), not the official `africastalking` SDK:
the SDK is synchronous over `requests` (it would block the outbox's event loop) and fixes its hosts to the
live and sandbox APIs, so it could be pointed neither at AFRICASTALKING_API_URL nor at the tests' fake.
A result's reason is a short fixed word, never the response's text (which may echo her number back).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from urllib.parse import urlencode

import aiohttp

from service.channels.africastalking_results import (
    Refusal,
    SendResult,
    Sent,
    Trouble,
    Unsure,
    result_of,
)  # fmt: skip
from service.channels.form import FORM_TYPE
from service.settings import Settings

MESSAGING_PATH = "/version1/messaging"
# A send answer is a few hundred bytes; a broken or hostile server must not fill memory.
MAX_BODY_BYTES = 64 * 1024
# Asked too soon or too often: not a refusal of the message, worth another try.
RETRY_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One queued reply, as the sender hands it over."""

    # Her E.164 number and the text: kept out of repr, so no log line or traceback shows them.
    to: str = field(repr=False)
    message: str = field(repr=False)
    # AT's `from`: the short code or sender id her message came in on ("" leaves it out: AT's default).
    sender_id: str
    # AT's linkId, for a reply to an on-demand (premium) message ("" leaves it out).
    link_id: str = ""


def _form(username: str, outgoing: Outgoing) -> bytes:
    """AT's form for one message to one number."""
    fields = {"username": username, "to": outgoing.to, "message": outgoing.message}
    # An empty `from` or linkId is left out, as AT documents them optional (its default sender, no session).
    fields |= {"from": outgoing.sender_id, "linkId": outgoing.link_id}
    return urlencode({name: value for name, value in fields.items() if value}).encode("utf-8")


async def _capped_body(response: aiohttp.ClientResponse) -> bytes | None:
    """The response's body, or None when it is longer than MAX_BODY_BYTES."""
    body = bytearray()
    # Every turn reads at least one byte or ends: at most MAX_BODY_BYTES + 1 turns.
    while chunk := await response.content.read(MAX_BODY_BYTES + 1 - len(body)):
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    return bytes(body)


async def _response_result(response: aiohttp.ClientResponse) -> SendResult:
    """The result an HTTP answer means."""
    status = response.status
    if 400 <= status < 500 and status not in RETRY_STATUSES:
        return Refusal(f"http_{status}")
    if not 200 <= status < 300:
        # 5xx, 429, or a redirect (a wrong AFRICASTALKING_API_URL, which may be mended before it is dead).
        return Trouble(f"http_{status}")
    # From here AT said yes: whatever goes wrong may have followed a sent message, so it is Unsure,
    # never Trouble (a retry could send it twice).
    if response.headers.get("Content-Encoding", "identity") != "identity":
        return Unsure("bad_response")
    try:
        body = await _capped_body(response)
    except (aiohttp.ClientError, TimeoutError):
        return Unsure("bad_response")
    return Unsure("bad_response") if body is None else result_of(body)


class AfricasTalkingApi:
    """A client of AT's messaging API for one account; one session per event loop, made when first used."""

    def __init__(self, *, base_url: str, username: str, api_key: str, timeout: float, concurrency: int) -> None:
        self.url = base_url.rstrip("/") + MESSAGING_PATH
        self.username = username
        self.timeout = timeout
        self.concurrency = concurrency
        # Identity only: a small gzip body could inflate past any cap (a compressed answer is refused).
        self._headers = {"apiKey": api_key, "Accept": "application/json", "Content-Type": FORM_TYPE}
        self._headers |= {"Accept-Encoding": "identity"}
        self._session: aiohttp.ClientSession | None = None
        self._gate = asyncio.Semaphore(concurrency)
        self._loop: asyncio.AbstractEventLoop | None = None

    def _session_here(self) -> aiohttp.ClientSession:
        """This loop's session (a session and its connections belong to the loop that made them)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._loop is not loop:
            connector = aiohttp.TCPConnector(limit=self.concurrency)
            timeout = aiohttp.ClientTimeout(total=self.timeout)
            self._session = aiohttp.ClientSession(connector=connector, timeout=timeout, auto_decompress=False)
            self._gate, self._loop = asyncio.Semaphore(self.concurrency), loop
        return self._session

    async def send(self, outgoing: Outgoing) -> SendResult:
        """Send one reply; never raises for network or HTTP trouble."""
        session, form = self._session_here(), _form(self.username, outgoing)
        # Callers past the limit wait here, outside the timeout, which is then AT's time alone.
        async with self._gate:
            try:
                async with session.post(self.url, data=form, headers=self._headers, allow_redirects=False) as answer:
                    result = await _response_result(answer)
            except aiohttp.ClientConnectorError:
                return Trouble("connect")
            except TimeoutError:
                return Trouble("timeout")
            except aiohttp.ClientError:
                return Trouble("network")
        if isinstance(result, Sent) and outgoing.to.lstrip("+")[-9:] in result.provider_id:
            return Unsure("bad_response")  # an id that echoes her number is not kept
        return result

    async def close(self) -> None:
        """Close the session and its connections (on the loop that made them)."""
        if self._session is not None and self._loop is asyncio.get_running_loop():
            await self._session.close()
        self._session = self._loop = None


def api_of(settings: Settings) -> AfricasTalkingApi | None:
    """The messaging API of a configuration; None without a username and API key (replies wait)."""
    key = settings.africastalking_api_key
    if not settings.africastalking_username or key is None or not key.get_secret_value():
        return None
    return AfricasTalkingApi(
        base_url=settings.africastalking_api_base,
        username=settings.africastalking_username,
        api_key=key.get_secret_value(),
        timeout=settings.outbox_send_timeout_seconds,
        concurrency=settings.outbox_concurrency,
    )
