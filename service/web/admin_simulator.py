"""/admin/simulator: a phone on the admin page, through the same flow as the webhooks.

A text is sent as typed. A USSD session or a call is a path of digits: the page keeps the path so
far and adds each key pressed, as Africa's Talking and the voice line's action URL do.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from service import admin_views
from service.core import InboundMessage
from service.core.ussd_pages import screen_size
from service.core.ussd_path import MAX_PATH_CHARS
from service.web.admin_auth import Admin, AdminForm
from service.web.admin_pages import templates

router = APIRouter(prefix="/admin", include_in_schema=False)
SIMULATED_SENDER = "+15550100000"
CHANNELS = ("sms", "ussd", "voice")
Channel = Literal["sms", "ussd", "voice"]


def _page(request: Request, identity: Admin, **context) -> HTMLResponse:
    line = request.app.state.line
    values = {"identity": identity, "programs": line.programs.all, "channels": CHANNELS, "reply": None, **context}
    return templates().TemplateResponse(request, "simulator.html", values)


@router.get("/simulator")
def simulator_form(request: Request, identity: Admin) -> HTMLResponse:
    """The simulator, empty: an SMS to the default program."""
    return _page(request, identity, sender=SIMULATED_SENDER, body="", to="", channel="sms")


def next_path(*, path: str, press: str) -> str:
    """The session's path after one more key: '3' then '1' -> '3*1' (a key is kept only as digits)."""
    pressed = "".join(char for char in press if char.isascii() and char.isdigit())
    joined = f"{path}*{pressed}" if path and pressed else path or pressed
    # Longer than any session goes: the session starts over (cutting it could split a key, 98 into 9).
    return joined if len(joined) <= MAX_PATH_CHARS else ""


@router.post("/simulator")
def simulate(
    request: Request,
    identity: AdminForm,
    body: Annotated[str, Form()] = "",
    sender: Annotated[str, Form()] = SIMULATED_SENDER,
    to: Annotated[str, Form()] = "",
    channel: Annotated[Channel, Form()] = "sms",
    press: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """One message or key through the flow, marked simulated; the page with its reply."""
    line = request.app.state.line
    text = body[:1600] if channel == "sms" else next_path(path=body, press=press)
    message = InboundMessage(
        message_id="SIM" + secrets.token_hex(16),
        sender=sender.strip()[:64] or SIMULATED_SENDER,
        recipient=to[:64],
        body=text,
        channel=channel,
    )
    reply = line.flow.handle([message], simulated=True)[0]
    return _page(
        request,
        identity,
        sender=message.sender,
        body=message.body,
        to=message.recipient,
        channel=channel,
        reply=reply,
        rtl=admin_views.is_rtl(reply.locale),
        size=screen_size(reply.body) if channel == "ussd" and reply.body else None,
        rtl_locales=[code for code in line.catalogs.locales if admin_views.is_rtl(code)],
        limited=reply.body is None and not reply.subscriber.opted_out,
    )
