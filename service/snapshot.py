"""What the line answers from, as one immutable value: catalogs, programs and the catalog version.

A translation upload or another replica's publication builds a new snapshot and
swaps it in with one assignment; a group of messages takes the snapshot once, so
it is answered from one version whole, never half old and half new.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.catalogs import Catalogs
from service.programs import Programs


@dataclass(frozen=True, slots=True)
class ContentSnapshot:
    catalogs: Catalogs
    programs: Programs
    # (count, newest id) of the catalog versions served ((0, 0): the PO files as shipped), then
    # (count, newest id) of the review events whose approvals it holds.
    catalog_version: tuple[int, ...] = (0, 0, 0, 0)


class LiveContent:
    """The snapshot served now; swap() replaces it for every later reader at once."""

    __slots__ = ("snapshot",)

    def __init__(self, snapshot: ContentSnapshot):
        self.snapshot = snapshot

    def swap(self, snapshot: ContentSnapshot) -> None:
        """Serve snapshot from now on (one assignment: readers see the old or the new, whole)."""
        self.snapshot = snapshot
