"""The review state in a PO file, for a reviewer working offline in Poedit or Weblate.

A downloaded PO marks each approved entry twice: the flag `approved` (`#, approved`, kept by Babel's
update and shown among Weblate's flags) and a translator's comment `review: approved by NAME on DATE`
(shown in Poedit's comment pane). Both are the line's to write: an upload's marks are dropped before it
is stored, so uploading a PO never approves anything; only a reviewer's approval does.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from babel.messages.catalog import Catalog

from service.review import APPROVED, EntryReview

FLAG = "approved"
COMMENT = "review:"
ALREADY_APPROVED = (
    "it was already approved when this file was downloaded; approve it on the review page or with --msgid"
)


def _is_mark(comment: str) -> bool:
    """Whether a comment line is one of the line's review marks."""
    return comment.strip().lower().startswith(COMMENT)


def without_marks(catalog: Catalog) -> Catalog:
    """The catalog with every review flag and comment taken off, however written (in place; returned too)."""
    for message in catalog:
        message.flags = {flag for flag in message.flags if flag.lower() != FLAG}
        message.user_comments = [comment for comment in message.user_comments if not _is_mark(comment)]
        message.auto_comments = [comment for comment in message.auto_comments if not _is_mark(comment)]
    return catalog


def with_marks(catalog: Catalog, reviews: Iterable[EntryReview]) -> Catalog:
    """A copy of the catalog that marks exactly the approved entries, with who approved them and when."""
    marked = without_marks(copy.deepcopy(catalog))
    for review in reviews:
        message = marked.get(review.entry.source, context=review.entry.context)
        if review.state != APPROVED or message is None or review.approval is None:
            continue
        message.flags.add(FLAG)
        when = review.approval.created_at.strftime("%Y-%m-%d") if review.approval.created_at else "?"
        message.user_comments.append(f"{COMMENT} approved by {review.approval.label} on {when}")
    return marked


def offline_marks(catalog: Catalog) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """What a reviewer flagged approved in a file: ([(msgctxt, msgid, translation)], [(msgid, why it is passed over)]).

    An entry that still carries the line's own `review:` comment was approved when the file was downloaded: its
    flag is the line's, not hers, and taking it would undo a revocation made since."""
    taken, passed = [], []
    for message in catalog:
        if not message.id or FLAG not in {flag.lower() for flag in message.flags}:
            continue
        text = message.string if isinstance(message.string, str) else ""  # a plural's is a tuple: the line has none
        if any(_is_mark(comment) for comment in message.user_comments):
            passed.append((str(message.id)[:60], ALREADY_APPROVED))
        elif message.fuzzy or not text:
            passed.append((str(message.id)[:60], "it is fuzzy or untranslated in the file"))
        else:
            taken.append((message.context or "", str(message.id), text))
    return taken, passed
