"""/admin/review: each locale's entries beside their English, approved or revoked one at a time or all at
once after reading (thin routes over service.review_actions; the gate lets only reviewers approve).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from service import review, review_actions, review_views
from service.entries import entries_of
from service.review_actions import Outcome
from service.web.admin_auth import Admin, AdminForm
from service.web.admin_pages import plain, templates

router = APIRouter(include_in_schema=False)
HISTORY = 50
# What a redirect after a change may ask the page to say; anything else says nothing.
NOTICES = {"approved": "Approved {count}.", "revoked": "Revoked {count}: back to draft."}


def _page(
    request: Request, identity, locale: str, outcome: Outcome | None = None, status_code: int = 200, notice: str = ""
):
    """The locale's review page, with what the last act did not do when there is any."""
    line = request.app.state.line
    current = line.reviews.current()
    rows = review_views.entry_rows(catalogs=line.catalogs, locale=locale, current=current, programs=line.programs.all)
    context = {
        "identity": identity,
        "locale": locale,
        "rows": rows,
        "changed": [row for row in rows if row.review.english_changed],
        "read": review_views.read_field(rows),
        "history": line.reviews.history(locale=locale, limit=HISTORY),
        "outcome": outcome,
        "notice": notice,
    }
    return templates().TemplateResponse(request, "review.html", context, status_code=status_code)


@router.get("/review")
def review_index(request: Request, identity: Admin) -> HTMLResponse:
    """Per locale: approved, draft, fuzzy and missing; which programs serve drafts."""
    line = request.app.state.line
    counts = review.locale_counts(catalogs=line.catalogs, current=line.reviews.current())
    context = {"identity": identity, "counts": counts, "programs": line.programs.all, "states": review.STATES}
    return templates().TemplateResponse(request, "review_index.html", context)


@router.get("/review/{locale}")
def review_locale(
    request: Request, identity: Admin, locale: str, done: str = "", count: Annotated[int, Query(ge=0, le=999)] = 0
) -> Response:
    if locale not in request.app.state.line.catalogs.sources:
        return plain(404, "No such language.")
    notice = NOTICES[done].format(count=count) if done in NOTICES else ""
    return _page(request, identity, locale, notice=notice)


def _parsed(read: list[str], limit: int) -> dict[str, str | None] | None:
    """{entry id: seen} from the form's "entry:seen" values; None when there are more than entries."""
    if len(read) > limit:
        return None
    pairs = (value.partition(":") for value in read)
    return {entry_id[:64]: hashed[: review_actions.SEEN_CHARS] for entry_id, _, hashed in pairs}


def _after(request: Request, identity, locale: str, outcome: Outcome, done: str) -> Response:
    """Back to the page: redirected when all was done, else shown with what was refused and why."""
    if outcome.refused:
        return _page(request, identity, locale, outcome, status_code=200 if outcome.done else 409)
    return RedirectResponse(f"/admin/review/{locale}?done={done}&count={len(outcome.done)}", status_code=303)


@router.post("/review/{locale}/approve")
async def approve_entries(
    request: Request, identity: AdminForm, locale: str, read: Annotated[list[str] | None, Form()] = None
) -> Response:
    """Approve the entries the form says were read, each against the translation she saw."""
    line = request.app.state.line
    if locale not in line.catalogs.sources:
        return plain(404, "No such language.")
    parsed = _parsed(read or [], limit=len(entries_of(line.catalogs.content)))
    if not parsed:
        return plain(422, "Say which entries you read: the form came without them, or with more than there are.")
    outcome = await run_in_threadpool(review_actions.approve, line=line, locale=locale, read=parsed, by=identity.label)
    return await run_in_threadpool(_after, request, identity, locale, outcome, "approved")


@router.post("/review/{locale}/revoke")
def revoke_entry(
    request: Request, identity: AdminForm, locale: str, entry: Annotated[str, Form(max_length=64)]
) -> Response:
    """Return one approved entry to draft."""
    line = request.app.state.line
    if locale not in line.catalogs.sources:
        return plain(404, "No such language.")
    outcome = review_actions.revoke(line=line, locale=locale, entry_ids=[entry], by=identity.label)
    return _after(request, identity, locale, outcome, "revoked")
