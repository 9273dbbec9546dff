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


def _is_mark(comment: str) -> bool:
    return comment.lower().startswith(COMMENT)


def without_marks(catalog: Catalog) -> Catalog:
    """The catalog with every review flag and comment taken off (in place; returned for convenience)."""
    for message in catalog:
        message.flags.discard(FLAG)
        message.user_comments = [comment for comment in message.user_comments if not _is_mark(comment)]
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


def marked_entries(catalog: Catalog) -> list[tuple[str, str, str]]:
    """(msgctxt, msgid, translation) of each entry a file flags approved: what a reviewer marked offline."""
    return [
        (message.context or "", str(message.id), message.string)
        for message in catalog
        if message.id and FLAG in message.flags and isinstance(message.string, str) and not message.fuzzy
    ]
