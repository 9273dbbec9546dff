"""Which role may do what in the admin: a table of (method, path, roles), which the gate (web/admin_gate.py)
checks after it knows who is asking and before it reads a byte of the body.

A request no row names is for admins only, so a route added later is closed to translators and
reviewers until a row here opens it. Paths are written as the routes write them: {name} is one
path segment, {name:path} the rest of the path. HEAD is asked as GET (every GET route answers it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.admin_tokens import ROLES

EVERYONE = frozenset(ROLES)
EDITORS = frozenset({"admin", "translator"})
REVIEWERS = frozenset({"reviewer"})
REVOKERS = frozenset({"admin", "reviewer"})
ADMINS = frozenset({"admin"})
PLACEHOLDER = re.compile(r"\{\w+(:path)?\}")


@dataclass(frozen=True, slots=True)
class Rule:
    method: str
    path: str
    roles: frozenset[str]
    action: str = ""  # what a refusal says the role cannot do ("" for rows open to every role)


TABLE = (
    Rule("GET", "/admin", EVERYONE),
    Rule("GET", "/admin/static/{file:path}", EVERYONE),
    Rule("POST", "/admin/logout", EVERYONE),
    Rule("GET", "/admin/translations", EVERYONE),
    Rule("GET", "/admin/translations/messages.pot", EVERYONE),
    Rule("GET", "/admin/translations/{locale}.po", EVERYONE),
    Rule("GET", "/admin/simulator", EVERYONE),
    Rule("POST", "/admin/simulator", EVERYONE),
    Rule("GET", "/admin/review", EVERYONE),
    Rule("GET", "/admin/review/{locale}", EVERYONE),
    Rule("POST", "/admin/translations/{locale}", EDITORS, "upload translations"),
    Rule("POST", "/admin/translations/{locale}/rollback", EDITORS, "roll translations back"),
    Rule("POST", "/admin/review/{locale}/approve", REVIEWERS, "approve translations"),
    Rule("POST", "/admin/review/{locale}/revoke", REVOKERS, "revoke approvals"),
)


def compiled(path: str) -> re.Pattern[str]:
    """A rule's path as a pattern the whole request path must match."""
    pattern, at = "", 0
    for found in PLACEHOLDER.finditer(path):
        pattern += re.escape(path[at : found.start()]) + (".+" if found.group(1) else "[^/]+")
        at = found.end()
    return re.compile(pattern + re.escape(path[at:]))


PATTERNS = tuple((rule, compiled(rule.path)) for rule in TABLE)


def rule_for(*, method: str, path: str) -> Rule:
    """The table's row for a request, or the admins-only default for one it does not name."""
    asked = "GET" if method == "HEAD" else method
    for rule, pattern in PATTERNS:
        if rule.method == asked and pattern.fullmatch(path):
            return rule
    return Rule(asked, path, ADMINS, "open this page" if asked == "GET" else "make this change")


def allows(*, role: str, method: str, path: str) -> bool:
    """Whether a role may make this request (the templates ask it too, to show only the links that open)."""
    return role in rule_for(method=method, path=path).roles


def refusal(*, role: str, method: str, path: str) -> str | None:
    """Why this role may not make this request, in words for the person refused (None: it may)."""
    rule = rule_for(method=method, path=path)
    if role in rule.roles:
        return None
    ask = " or ".join(("an " if who == "admin" else "a ") + who for who in ROLES if who in rule.roles)
    return f"Your role ({role}) cannot {rule.action}; ask {ask}."
