"""What the admin's usage page and CSV show, from the daily rollups' rows (no HTTP here, never a number).

Cost is what the gateways said the replies cost: Africa's Talking's send response carries a price,
Twilio's status callbacks do not, so a row only Twilio answered has segments and no cost ("—").
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from service.store.rollups import MIXED
from service.store.usage import UsageRow

NO_COST = "—"
CSV_COLUMNS = (*UsageRow.__slots__, "cost_per_delivered")
DELIVERED, COST, CURRENCY = (UsageRow.__slots__.index(name) for name in ("delivered", "cost", "currency"))
FATES = ("delivered", "failed", "pending", "cancelled")


def merged_currency(first: str, second: str) -> str:
    """The currency of two amounts added: "" says no gateway priced it, MIXED that two did differently."""
    if not first or not second:
        return first or second
    return first if first == second else MIXED


def per_delivered(*, cost: float, currency: str, delivered: int) -> float | None:
    """What one delivered answer cost; None when none was delivered or no single currency priced them."""
    if not delivered or currency in ("", MIXED):
        return None
    return cost / delivered


def money(amount: float | None, currency: str) -> str:
    """An amount as the page shows it: "—" where no gateway said, never a sum of two currencies."""
    if currency == MIXED:
        return "mixed currencies"
    if amount is None or not currency:
        return NO_COST
    return f"{amount:,.4f} {currency}"


@dataclass
class CostRow:
    """One program × locale × channel × gateway over the chosen days: its replies' fates and what they cost
    (a gateway apart: Twilio's and Africa's Talking's prices are not one)."""

    program: str
    locale: str
    channel: str
    gateway: str
    replies: int = 0
    segments: int = 0
    delivered: int = 0
    failed: int = 0
    pending: int = 0
    cancelled: int = 0
    cost: float = 0.0
    currency: str = ""

    def add(self, row: UsageRow) -> None:
        """Count one rollup row in."""
        for name in ("replies", "segments", *FATES):
            setattr(self, name, getattr(self, name) + getattr(row, name))
        self.cost += row.cost
        self.currency = merged_currency(self.currency, row.currency)

    @property
    def cost_text(self) -> str:
        """The cost with its currency, or "—"."""
        return money(self.cost, self.currency)

    @property
    def per_delivered_text(self) -> str:
        """The cost per delivered answer with its currency, or "—"."""
        amount = per_delivered(cost=self.cost, currency=self.currency, delivered=self.delivered)
        return money(amount, self.currency)


def cost_rows(rows: list[UsageRow]) -> list[CostRow]:
    """Per program, locale, channel and gateway (in that order), summed over the days."""
    table: dict[tuple[str, str, str, str], CostRow] = {}
    for row in rows:
        key = (row.program, row.locale, row.channel, row.gateway)
        table.setdefault(key, CostRow(*key)).add(row)
    return [table[key] for key in sorted(table)]


@dataclass
class UsageSummary:
    days: list[tuple[str, int, int]]  # (day, replies, segments)
    by: dict[str, Counter[str]]  # dimension -> value -> replies
    opt_outs: int
    rate_limited: int
    replies: int
    segments: int
    fates: Counter[str] = field(default_factory=Counter)  # delivered, failed, pending, cancelled -> replies


def usage_summary(rows: list[UsageRow], *, days: list[tuple[str, int, int]]) -> UsageSummary:
    """Totals per topic, locale, program, channel and gateway, with the days' (day, replies, segments)."""
    by: dict[str, Counter[str]] = {name: Counter() for name in ("topic", "locale", "program", "channel", "gateway")}
    fates: Counter[str] = Counter({name: 0 for name in FATES})
    for row in rows:
        by["topic"][row.topic or row.intent] += row.replies
        for name in ("locale", "program", "channel", "gateway"):
            by[name][getattr(row, name)] += row.replies
        for name in FATES:
            fates[name] += getattr(row, name)
    return UsageSummary(
        days=days,
        by=by,
        opt_outs=sum(row.messages for row in rows if row.intent == "stop"),
        rate_limited=sum(row.rate_limited for row in rows),
        replies=sum(row.replies for row in rows),
        segments=sum(row.segments for row in rows),
        fates=fates,
    )


def usage_csv(rows: list[tuple]) -> str:
    """The rows (tuples in UsageRow's order) as CSV, then cost_per_delivered (blank where there is none)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows((*row, _per_delivered_cell(row)) for row in rows)
    return buffer.getvalue()


def _per_delivered_cell(row: tuple) -> object:
    amount = per_delivered(cost=row[COST], currency=row[CURRENCY], delivered=row[DELIVERED])
    return "" if amount is None else round(amount, 6)
