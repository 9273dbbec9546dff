"""A deadline for request bodies on every route: a client sending one byte a second is cut off.

uvicorn times out idle keep-alive connections but not a body that trickles in, so fifty such
connections stayed open for as long as their senders liked.
"""

from __future__ import annotations

import asyncio

from starlette.exceptions import HTTPException

TOO_SLOW = "The request body came too slowly."


class BodyTooSlow(HTTPException):
    """Raised from receive() when the body is not all there by its deadline (answered 408)."""

    def __init__(self) -> None:
        super().__init__(408, TOO_SLOW, headers={"Connection": "close"})


class BodyDeadline:
    """An ASGI receive() that raises BodyTooSlow once the body has not arrived by a deadline."""

    __slots__ = ("_receive", "_deadline", "_done")

    def __init__(self, receive, *, seconds: float):
        self._receive = receive
        self._deadline = asyncio.get_running_loop().time() + seconds
        self._done = False

    async def __call__(self) -> dict:
        if self._done:  # after the body only a disconnect comes, whenever it comes
            return await self._receive()
        try:
            async with asyncio.timeout_at(self._deadline):
                message = await self._receive()
        except TimeoutError:
            raise BodyTooSlow() from None
        if message["type"] != "http.request" or not message.get("more_body", False):
            self._done = True
        return message
