"""/admin/translations: thin routes over service.translations (upload, rollback, downloads).

Every request has passed service.web.admin_gate before it gets here, as for the rest of /admin.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from service import admin_views, review, translations
from service.web.admin import page
from service.web.admin_auth import Admin, AdminForm
from service.web.admin_pages import plain

router = APIRouter(prefix="/admin", include_in_schema=False)
# What a redirect after a change may ask the translations page to say; anything else says nothing.
NOTICES = {
    "published": "{locale} is now served (version {version})",
    "rolled-back": "{locale} rolled back (version {version})",
    "unchanged": "{locale} has nothing to roll back",
}


def _translations_page(request: Request, identity, status_code: int = 200, **context) -> HTMLResponse:
    line = request.app.state.line
    history = line.versions.history(limit=500)
    return page(
        request,
        "translations.html",
        status_code,
        identity=identity,
        history=history[:50],
        summaries=admin_views.locale_summaries(line.catalogs, history),
        reviewed=review.locale_counts(catalogs=line.catalogs, current=line.reviews.current()),
        **{"message": None, "problems": [], "locale": "", **context},  # the page names each (StrictUndefined)
    )


@router.get("/translations")
def translations_page(
    request: Request,
    identity: Admin,
    done: str = "",
    locale: str = "",
    version: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> HTMLResponse:
    known = done in NOTICES and locale in request.app.state.line.catalogs.sources
    message = NOTICES[done].format(locale=locale, version=version) if known else None
    return _translations_page(request, identity, message=message)


@router.get("/translations/messages.pot")
def download_template(request: Request, identity: Admin) -> Response:
    path = request.app.state.line.settings.locales_dir / "messages.pot"
    return Response(
        path.read_bytes(),
        media_type="text/x-gettext-translation",
        headers={"Content-Disposition": 'attachment; filename="messages.pot"'},
    )


@router.get("/translations/{locale}.po")
def download_po(request: Request, identity: Admin, locale: str) -> Response:
    line = request.app.state.line
    if locale not in line.catalogs.sources:
        return plain(404, "No such language.")
    return Response(
        translations.served_po(line=line, locale=locale),
        media_type="text/x-gettext-translation",
        headers={"Content-Disposition": f'attachment; filename="{locale}.po"'},
    )


@router.post("/translations/{locale}")
async def upload_po(request: Request, identity: AdminForm, locale: str, po: Annotated[UploadFile, File()]) -> Response:
    data = await po.read(translations.MAX_PO_BYTES + 1)
    if len(data) > translations.MAX_PO_BYTES:
        return plain(413, "The PO file is larger than 1 MiB.")
    line = request.app.state.line
    version, problems = await run_in_threadpool(
        translations.publish, line=line, locale=locale, data=data, label=identity.label
    )
    if problems:
        return await run_in_threadpool(_translations_page, request, identity, 422, locale=locale, problems=problems)
    return RedirectResponse(f"/admin/translations?done=published&locale={locale}&version={version}", status_code=303)


@router.post("/translations/{locale}/rollback")
def rollback_locale(request: Request, identity: AdminForm, locale: str) -> Response:
    line = request.app.state.line
    if locale not in line.catalogs.sources:
        return plain(404, "No such language.")
    version, problems = translations.rollback(line=line, locale=locale, label=identity.label)
    if problems:
        return _translations_page(request, identity, 422, locale=locale, problems=problems)
    done = "rolled-back" if version else "unchanged"
    return RedirectResponse(f"/admin/translations?done={done}&locale={locale}&version={version or 0}", status_code=303)
