"""The Host check as an ASGI layer, before anything else: service.host_policy says which are answered."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from service.host_policy import REFUSAL, HostPolicy, host_name, policy_for

__all__ = ["REFUSAL", "HostCheck", "HostPolicy", "host_name", "host_of", "policy_for"]
_REFUSAL_BODY = (REFUSAL + "\n").encode()


def host_of(scope: Scope) -> bytes:
    """The request's one Host header; b"" (refused) without one or with several, since the inbound
    endpoint rebuilds the signed URL from the last and the check would otherwise see the first."""
    hosts = [value for name, value in scope["headers"] if name == b"host"]
    return hosts[0] if len(hosts) == 1 else b""


class HostCheck:
    """Every HTTP request, inbound and FastAPI's alike, first has its Host checked: 400 when not answered."""

    def __init__(self, app: ASGIApp, *, policy: HostPolicy) -> None:
        self.app, self.policy = app, policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.policy.answers(host_of(scope), scope["path"]):
            headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"%d" % len(_REFUSAL_BODY))]
            await send({"type": "http.response.start", "status": 400, "headers": headers})
            await send({"type": "http.response.body", "body": _REFUSAL_BODY})
            return
        await self.app(scope, receive, send)
