"""The reply cap: how many replies a sender gets in a program's short window and in an hour.

A message past the cap is still recorded, and still changes her state (a STOP
still opts her out), but gets no reply, so a loop between two machines cannot run
up a program's bill.
"""

from __future__ import annotations

from service.core.respond import RESPONDERS
from service.core.types import Intent
from service.programs import Program

# The long window of a program's reply cap (hourly_cap).
HOUR = 3600.0
# Carriers require these confirmations even to a sender past her reply cap.
NEVER_CAPPED = frozenset({Intent.STOP, Intent.START, Intent.HELP})


def counts_toward_cap(channel: str) -> bool:
    """Whether a reply on this channel counts toward (and is held by) the sender's reply cap."""
    # A USSD session or a call (a channel with a responder of its own): she is on the line, answered step
    # by step, nothing is sent to her afterwards, and no machine loops there.
    return channel not in RESPONDERS


def over_cap(
    *, window_start: float, window_count: int, hour_start: float, hour_count: int, program: Program, now: float
) -> bool:
    """Whether the sender has had as many replies as the program allows for now."""
    in_window = window_start > now - program.reply_window_seconds
    in_hour = hour_start > now - HOUR
    return (in_window and window_count >= program.reply_cap) or (in_hour and hour_count >= program.hourly_cap)


def capped(*, intent: Intent, replying: bool, over: bool, channel: str) -> bool:
    """Whether a reply is withheld: it would be sent, the sender is over the cap, and carriers allow it."""
    return replying and over and intent not in NEVER_CAPPED and counts_toward_cap(channel)
