"""The receipt endpoint: one bare ASGI endpoint for a gateway's delivery receipts, one instance per channel.

As the inbound endpoint (service.web.inbound) does for messages: the method, the content type, the body
read once under its cap, then the channel verifies and decodes a Receipt, which the store side applies.
The gateways need only a 2xx back: an empty one.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from prometheus_client import Counter
from starlette.types import Receive, Scope, Send

from service.channels.base import TEXT_TYPE, Encoded, Receipt, ReceiptChannel, Refused
from service.store import StoreUnavailable
from service.web.inbound import NO_HEADERS, PostReader, send_response

log = logging.getLogger("service.web.receipts")
Apply = Callable[[Receipt], Awaitable[None]]
# Labels are the gateway's name and a Delivery state: words the line chose, never a digit of hers.
RECEIPTS = Counter("infoline_receipts_total", "Delivery receipts applied, by gateway and state", ["gateway", "state"])
ACKNOWLEDGED = Encoded(TEXT_TYPE, b"")
# The store was away: a 5xx, so a gateway that retries its callbacks tries again.
UNAVAILABLE = "The database is unavailable right now; try again."


class ReceiptEndpoint:
    """Take one gateway's receipts: an empty 200 once applied, or a 4xx that says what is wrong."""

    def __init__(self, *, channel: ReceiptChannel, apply: Apply, max_body: int, public_base_url: str | None) -> None:
        self.channel, self.apply = channel, apply
        self.reader = PostReader.of(
            channel, what="delivery receipt", max_body=max_body, public_base_url=public_base_url
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        status, extra, encoded = 200, NO_HEADERS, ACKNOWLEDGED
        try:
            receipt = await self.receipt_of(scope, receive)
            if receipt is None:
                return  # the caller hung up: nobody to answer, nothing applied
            await self.apply(receipt)
        except Refused as refused:
            status, extra, encoded = refused.status, refused.headers, self.refusal(refused.status, refused.reason)
        except StoreUnavailable:
            status, encoded = 503, self.refusal(503, UNAVAILABLE)
        else:
            RECEIPTS.labels(gateway=receipt.gateway, state=receipt.state.value).inc()
            log.info("receipt", extra={"gateway": receipt.gateway, "state": receipt.state.value})
        await send_response(send, status=status, encoded=encoded, extra=extra)

    async def receipt_of(self, scope: Scope, receive: Receive) -> Receipt | None:
        """The receipt one call carries (None if the caller hung up); Refused for any call not taken."""
        request = await self.reader.read(scope, receive)
        return None if request is None else self.channel.verify_and_decode(request)

    def refusal(self, status: int, reason: str) -> Encoded:
        """A refusal's response body, logged (its status and reason only: the line's own words)."""
        log.info("receipt refused", extra={"status": status, "reason": reason})
        return Encoded(TEXT_TYPE, (reason + "\n").encode())
