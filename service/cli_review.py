"""python -m service review: per-locale review status, and approving or revoking entries from a shell.

What it changes reaches every replica within about a second, as an admin's approval does (they poll).
"""

from __future__ import annotations

import argparse
import json
import sys

from service.admin_tokens import ADMIN_LABEL
from service.settings import get_settings


def _line():
    from service.line import build_line
    from service.translations import refresh_catalogs

    line = build_line(get_settings())
    refresh_catalogs(line=line)  # what is served now: uploads and approvals, not only the PO files
    return line


def print_status(args: argparse.Namespace) -> int:
    """Print each locale's approved, draft, fuzzy and missing entries."""
    from service import review

    line = _line()
    counts = review.locale_counts(catalogs=line.catalogs, current=line.reviews.current())
    if args.json:
        print(json.dumps(counts, indent=2, sort_keys=True))
        return 0
    for locale, found in counts.items():
        print(f"{locale:6} " + "  ".join(f"{state} {found[state]:3}" for state in review.STATES))
    return 0


def _read(args: argparse.Namespace, line) -> tuple[dict[str, str | None], list[tuple[str, str]]] | str:
    """(what the reviewer read {entry id: seen hash or None}, entries passed over with why), or why nothing can be."""
    from service import review_actions

    if args.all:
        return review_actions.drafts(line=line, locale=args.locale), []
    if args.po:
        return _marked_in(args.po, line=line)
    return {entry_id: None for entry_id in args.msgid}, []


def _marked_in(path: str, *, line) -> tuple[dict[str, str | None], list[tuple[str, str]]] | str:
    """The entries a reviewed PO file flags approved, each with the hash of the translation it holds."""
    from service import po_upload, review_actions, review_po
    from service.entries import entries_of
    from service.translations import MAX_PO_BYTES

    try:
        with open(path, "rb") as file:
            data = file.read(MAX_PO_BYTES + 1)
        if len(data) > MAX_PO_BYTES:
            return f"{path}: the file is larger than 1 MiB"
        catalog = po_upload.parse(data)
    except (OSError, po_upload.UploadRefused) as error:
        return f"{path}: {error}"
    ids = {(entry.context, entry.source): entry.id for entry in entries_of(line.catalogs.content).values()}
    taken, passed = review_po.offline_marks(catalog)
    unknown = [
        (source[:60], "its English is not the line's English now")
        for ctx, source, _ in taken
        if (ctx, source) not in ids
    ]
    read: dict[str, str | None] = {
        ids[(ctx, source)]: review_actions.seen(text) for ctx, source, text in taken if (ctx, source) in ids
    }
    return read, passed + unknown


def _refusal(args: argparse.Namespace) -> str | None:
    """Why --by may not do this act (None: it may): the admin's own table (service.web.roles) says who may."""
    from service.web.roles import rule_for

    if not ADMIN_LABEL.fullmatch(args.by):
        return "--by must be 1-64 letters, digits, '.', '_' or '-' (a reviewer's label)"
    allowed = sorted(rule_for(method="POST", path=f"/admin/review/{args.locale}/{args.act}").roles, reverse=True)
    entry = get_settings().admin_accounts().get(args.by)
    if entry is None or entry.role not in allowed:
        return f"--by must be the label of a {' or '.join(allowed)} in ADMIN_TOKENS (label:{allowed[0]}:token)"
    return None


def change(args: argparse.Namespace) -> int:
    """Approve or revoke entries of a locale as --by; 1 when any was refused."""
    from service import review_actions

    refused = _refusal(args)
    if refused:
        print(refused, file=sys.stderr)
        return 2
    line = _line()
    if args.locale not in line.catalogs.sources:
        print(f"{args.locale!r} is not one of the line's languages: {', '.join(sorted(line.catalogs.sources))}")
        return 2
    passed: list[tuple[str, str]] = []
    if args.act == "approve":
        read = _read(args, line)
        if isinstance(read, str):
            print(read, file=sys.stderr)
            return 2
        outcome = review_actions.approve(line=line, locale=args.locale, read=read[0], by=args.by)
        passed = read[1]
    else:
        ids = review_actions.approved(line=line, locale=args.locale) if args.all else args.msgid
        outcome = review_actions.revoke(line=line, locale=args.locale, entry_ids=ids, by=args.by)
    verb = "approved" if args.act == "approve" else "revoked"
    print(f"{args.locale}: {verb} {len(outcome.done)} entr{'y' if len(outcome.done) == 1 else 'ies'} as {args.by}")
    for entry_id, why in [*outcome.refused, *passed]:
        print(f"refused {entry_id}: {why}", file=sys.stderr)
    return 1 if outcome.refused or passed else 0


def add_review_command(commands) -> None:
    """The review command and its three acts."""
    review_cmd = commands.add_parser("review", help="clinical review: status, approve, revoke")
    acts = review_cmd.add_subparsers(dest="act", required=True)
    status_cmd = acts.add_parser("status", help="per locale: approved, draft, fuzzy, missing")
    status_cmd.add_argument("--json", action="store_true")
    status_cmd.set_defaults(run=print_status)
    for act in ("approve", "revoke"):
        act_cmd = acts.add_parser(act, help=f"{act} entries of one locale")
        act_cmd.add_argument("--locale", required=True)
        act_cmd.add_argument("--by", required=True, help="who: the reviewer's label, kept in the history")
        which = act_cmd.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help=f"every entry there is to {act}")
        which.add_argument(
            "--msgid", action="append", metavar="ID", help="an entry id (her2.summary, help); repeatable"
        )
        if act == "approve":
            which.add_argument("--po", metavar="FILE", help="the entries a reviewed PO file flags approved")
        act_cmd.set_defaults(run=change)
