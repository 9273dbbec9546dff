"""/admin: thin routes over service.admin_views, service.translations and service.answer."""

from __future__ import annotations

import csv
import functools
import datetime
import io
import secrets
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from service import admin_views, translations
from service.answer import answer
from service.catalog_check import BUDGET
from service.core import InboundMessage
from service.store.usage import UsageRow, usage
from service.web.admin_auth import COOKIE, Admin, AdminForm, LoginRequired, identity_for_token, session_cookie


@functools.lru_cache(maxsize=1)
def templates():
    """The page templates, loaded at the first admin page: a worker that only answers texts never pays for Jinja2."""
    from fastapi.templating import Jinja2Templates

    return Jinja2Templates(directory=Path(__file__).parent / "templates")


router = APIRouter(prefix="/admin", include_in_schema=False)
SIMULATED_SENDER = "+15550100000"
CHART_HEIGHT = 120


def page(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    return templates().TemplateResponse(request, name, context, status_code=status_code)


def login_required(request: Request, _: LoginRequired) -> HTMLResponse:
    return page(request, "login.html", 401, identity=None, error=None)


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return page(request, "login.html", identity=None, error=None)


@router.post("/login")
def login(request: Request, token: Annotated[str, Form()] = "") -> Response:
    credentials = request.app.state.line.settings.admin_credentials()
    identity = identity_for_token(credentials, token) if credentials else None
    if identity is None:
        return page(request, "login.html", 403, identity=None, error="That token is not recognised.")
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(COOKIE, session_cookie(identity.label, credentials[identity.label]), httponly=True,
                        samesite="strict", secure=request.app.state.line.settings.admin_cookie_secure, path="/admin")
    return response


@router.post("/logout")
def logout(identity: AdminForm) -> Response:
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(COOKIE, path="/admin")
    return response


@router.get("")
def overview(request: Request, identity: Admin, locale: str | None = None) -> HTMLResponse:
    line = request.app.state.line
    catalogs = line.catalogs
    shown = [locale] if locale in catalogs.locales else list(catalogs.locales)
    summaries = {s.locale: s for s in admin_views.locale_summaries(catalogs, line.versions.history(limit=500))}
    return page(request, "overview.html", identity=identity, matrix=admin_views.overview(catalogs, line.programs.all),
                locales=catalogs.locales, shown=shown, summaries=summaries, budget=BUDGET,
                rtl={code: admin_views.is_rtl(code) for code in catalogs.locales},
                names={code: admin_views.Locale.parse(code).language_name for code in catalogs.locales})


@router.get("/simulator")
def simulator_form(request: Request, identity: Admin) -> HTMLResponse:
    return page(request, "simulator.html", identity=identity, programs=request.app.state.line.programs.all,
                sender=SIMULATED_SENDER, body="", to="", reply=None)


@router.post("/simulator")
def simulate(request: Request, identity: AdminForm, body: Annotated[str, Form()] = "",
             sender: Annotated[str, Form()] = SIMULATED_SENDER, to: Annotated[str, Form()] = "") -> HTMLResponse:
    line = request.app.state.line
    message = InboundMessage(message_id="SIM" + secrets.token_hex(16), sender=sender.strip() or SIMULATED_SENDER,
                             recipient=to, body=body[:1600])
    reply = answer(line=line, message=message, simulated=True)
    return page(request, "simulator.html", identity=identity, programs=line.programs.all, sender=message.sender,
                body=body, to=to, reply=reply, rtl=admin_views.is_rtl(reply.locale),
                limited=reply.body is None and not reply.subscriber.opted_out)


def _translations_page(request: Request, identity, status_code: int = 200, **context) -> HTMLResponse:
    line = request.app.state.line
    history = line.versions.history(limit=500)
    return page(request, "translations.html", status_code, identity=identity, history=history[:50],
                summaries=admin_views.locale_summaries(line.catalogs, history), **context)


@router.get("/translations")
def translations_page(request: Request, identity: Admin, message: str | None = None) -> HTMLResponse:
    return _translations_page(request, identity, message=message)


@router.get("/translations/messages.pot")
def download_template(request: Request, identity: Admin) -> Response:
    path = request.app.state.line.settings.locales_dir / "messages.pot"
    return Response(path.read_bytes(), media_type="text/x-gettext-translation",
                    headers={"Content-Disposition": 'attachment; filename="messages.pot"'})


@router.get("/translations/{locale}.po")
def download_po(request: Request, identity: Admin, locale: str) -> Response:
    line = request.app.state.line
    if locale not in line.catalogs.sources:
        return Response("No such language.\n", status_code=404, media_type="text/plain")
    return Response(translations.served_po(line=line, locale=locale), media_type="text/x-gettext-translation",
                    headers={"Content-Disposition": f'attachment; filename="{locale}.po"'})


@router.post("/translations/{locale}")
async def upload_po(request: Request, identity: AdminForm, locale: str, po: Annotated[UploadFile, File()]) -> Response:
    data = await po.read(translations.MAX_PO_BYTES + 1)
    line = request.app.state.line
    version, problems = await run_in_threadpool(translations.publish, line=line, locale=locale, data=data,
                                                label=identity.label)
    if problems:
        return await run_in_threadpool(_translations_page, request, identity, 422, locale=locale, problems=problems)
    return RedirectResponse(f"/admin/translations?message={locale}+is+now+served+(version+{version})", status_code=303)


@router.post("/translations/{locale}/rollback")
def rollback(request: Request, identity: AdminForm, locale: str) -> Response:
    version = translations.rollback(line=request.app.state.line, locale=locale, label=identity.label)
    note = f"{locale}+rolled+back+(version+{version})" if version else f"{locale}+has+nothing+to+roll+back"
    return RedirectResponse(f"/admin/translations?message={note}", status_code=303)


def _usage_rows(request: Request, days: int) -> list[UsageRow]:
    since = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=max(1, min(days, 366)))
    return usage(request.app.state.line.store.engine, since=since)


@router.get("/usage")
def usage_page(request: Request, identity: Admin, days: int = 30) -> HTMLResponse:
    summary = admin_views.usage_summary(_usage_rows(request, days))
    peak = max((replies for _, replies, _ in summary.days), default=1) or 1
    return page(request, "usage.html", identity=identity, summary=summary, days=days, peak=peak,
                chart_height=CHART_HEIGHT)


@router.get("/usage.csv")
def usage_csv(request: Request, identity: Admin, days: int = 30) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(UsageRow.__slots__)
    for row in _usage_rows(request, days):
        writer.writerow([getattr(row, name) for name in UsageRow.__slots__])
    return Response(buffer.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="infoline-usage.csv"'})
