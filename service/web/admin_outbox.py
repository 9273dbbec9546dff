"""/admin/outbox: how many replies wait, went or went wrong, and the latest that went wrong (GET only).

Included in service.web.admin's router, so the admin's gate and roles cover it as every admin page.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from service.store import outbox_admin
from service.web.admin_auth import Admin
from service.web.admin_pages import templates

router = APIRouter(include_in_schema=False)


def meanings(*, dead_after_minutes: int) -> dict[str, str]:
    """What each status means, in plain words."""
    return {
        "queued": "waiting to be sent, or to be tried again after a network error, a timeout or a 5xx "
        "(each wait about twice the last, up to 5 minutes).",
        "sending": "being sent now by one of the line's processes.",
        "cancelling": "her STOP came while it was being sent: cancelled if that try fails, never tried again.",
        "sent": "Africa's Talking took it; its delivery report then says whether it reached the phone (Usage).",
        "failed": "refused for good by Africa's Talking or the network (its reason below); not tried again.",
        "dead": f"given up on: not sent within {dead_after_minutes} minutes of her message "
        "(the gateway down or failing all that time, or no API key set); not sent.",
        "cancelled": "she texted STOP before it went; never sent.",
        "unknown": "the line stopped while sending; not sent again, in case it went.",
    }


@router.get("/outbox")
def outbox_page(request: Request, identity: Admin) -> HTMLResponse:
    """Counts by status and the latest dead, unknown or failed replies."""
    line = request.app.state.line
    engine = line.store.engine
    context = {
        "identity": identity,
        "counts": outbox_admin.status_counts(engine),
        "rows": outbox_admin.troubled(engine),
        "limit": outbox_admin.MAX_TROUBLED,
        "meanings": meanings(dead_after_minutes=round(line.settings.outbox_dead_after_seconds / 60)),
        "sending": line.sender is not None,
    }
    return templates().TemplateResponse(request, "outbox.html", context)
