"""/admin: thin routes over service.admin_views and service.admin_usage (translations:
web/admin_translations.py; the phone simulator: web/admin_simulator.py; the outbox: web/admin_outbox.py).

Every request has passed service.web.admin_gate before it gets here: authenticated from
its headers, its origin checked, its body capped, security headers on its response.
"""

from __future__ import annotations

import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service import admin_channels, admin_usage, admin_views, review
from service.catalog_check import BUDGET, replies
from service.store.usage import daily, per_day_rows, usage
from service.web import admin_outbox, admin_review
from service.web.admin_auth import Admin, AdminForm, Gate, LoginRequired, passage
from service.web.admin_gate import client_address
from service.web.admin_pages import login_page, stylesheet, templates, throttled_page
from service.web.sessions import COOKIE, LOGIN_COOKIE, forget_cookie, set_cookie

router = APIRouter(prefix="/admin", include_in_schema=False)
router.include_router(admin_outbox.router)
router.include_router(admin_review.router)
CHART_HEIGHT = 120
MAX_DAYS = 366


def page(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    return templates().TemplateResponse(request, name, context, status_code=status_code)


def login_required(request: Request, _: LoginRequired) -> HTMLResponse:
    return login_page(request=request, sessions=passage(request).sessions, status_code=401)


@router.get("/static/admin.css")
def admin_css() -> Response:
    return Response(stylesheet(), media_type="text/css")


@router.get("/login")
def login_form(request: Request, gate: Gate) -> HTMLResponse:
    return login_page(request=request, sessions=gate.sessions)


@router.post("/login")
def login(
    request: Request,
    gate: Gate,
    label: Annotated[str, Form()] = "",
    token: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    settings = request.app.state.line.settings
    if not gate.sessions.login_form_valid(cookie=request.cookies.get(LOGIN_COOKIE), offered=csrf):
        return login_page(
            request=request,
            sessions=gate.sessions,
            status_code=403,
            error="The login form was stale or came from another site; try again.",
        )
    accounts = settings.admin_accounts()
    attempt = gate.logins.log_in(address=client_address(request), label=label.strip(), token=token, accounts=accounts)
    if attempt.retry_after is not None:
        return throttled_page(request=request, sessions=gate.sessions, retry_after=attempt.retry_after)
    if attempt.identity is None:
        return login_page(
            request=request, sessions=gate.sessions, status_code=403, error="That name and token are not recognised."
        )
    known = attempt.identity
    session = gate.sessions.start(label=known.label, token=accounts[known.label].token, role=known.role)
    response = RedirectResponse("/admin", status_code=303)
    set_cookie(
        response,
        COOKIE,
        session.cookie,
        max_age=settings.admin_session_max_seconds,
        secure=settings.admin_cookie_secure,
    )
    forget_cookie(response, LOGIN_COOKIE, secure=settings.admin_cookie_secure)
    return response


@router.post("/logout")
def logout(request: Request, gate: Gate, identity: AdminForm) -> Response:
    if not identity.by_bearer:
        gate.sessions.end(cookie=request.cookies.get(COOKIE, ""))
    response = RedirectResponse("/admin/login", status_code=303)
    forget_cookie(response, COOKIE, secure=request.app.state.line.settings.admin_cookie_secure)
    return response


@router.get("")
def overview_page(request: Request, identity: Admin, locale: str | None = None) -> HTMLResponse:
    line = request.app.state.line
    catalogs = line.catalogs
    shown = [locale] if locale in catalogs.locales else list(catalogs.locales)
    summaries = {s.locale: s for s in admin_views.locale_summaries(catalogs, line.versions.history(limit=500))}
    return page(
        request,
        "overview.html",
        identity=identity,
        matrix=admin_views.reply_matrix(catalogs, line.programs.all),
        channels=admin_channels.channel_matrix(catalogs, line.programs.all[0], replies(catalogs.content)),
        programs=admin_views.program_rows(catalogs, line.programs.all),
        locales=catalogs.locales,
        shown=shown,
        summaries=summaries,
        reviewed=review.locale_counts(catalogs=catalogs, current=line.reviews.current()),
        budget=BUDGET,
        rtl={code: admin_views.is_rtl(code) for code in catalogs.locales},
        names={code: admin_views.Locale.parse(code).language_name for code in catalogs.locales},
    )


def _since(days: int) -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=days)


Days = Annotated[int, Query(ge=1, le=MAX_DAYS)]


@router.get("/usage")
def usage_page(request: Request, identity: Admin, days: Days = 30) -> HTMLResponse:
    # Summed over the days in the database: the page shows totals, and the CSV each day's.
    engine = request.app.state.line.store.engine
    rows = usage(engine, since=_since(days), per_day=False)
    summary = admin_usage.usage_summary(rows, days=daily(engine, since=_since(days)))
    peak = max((replies for _, replies, _ in summary.days), default=1) or 1
    return page(
        request,
        "usage.html",
        identity=identity,
        summary=summary,
        costs=admin_usage.cost_rows(rows),
        days=days,
        peak=peak,
        chart_height=CHART_HEIGHT,
    )


@router.get("/usage.csv")
def usage_csv_download(request: Request, identity: Admin, days: Days = 30) -> Response:
    return Response(
        admin_usage.usage_csv(per_day_rows(request.app.state.line.store.engine, since=_since(days))),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="infoline-usage.csv"'},
    )
