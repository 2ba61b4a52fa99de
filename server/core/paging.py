"""Lists in pages: one page of rows with the total behind it, and the date-range filter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select

from ..extensions import db
from .errors import ValidationError
from .i18n import _l
from .timeutil import LOCAL_TZ

PER_PAGE = 50
MAX_PER_PAGE = 500


@dataclass
class Page:
    items: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_row(self) -> int:
        return 0 if not self.total else (self.number - 1) * self.per_page + 1

    @property
    def last_row(self) -> int:
        return min(self.total, self.number * self.per_page)


def page_number(args) -> int:
    raw = args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


def paginate(query: Select, args, *, per_page: int = PER_PAGE, scalars: bool = True) -> Page:
    """The page `args["page"]` of `query` (ordered by the caller) and the count of all its
    rows: two statements, whatever the list's size."""
    total = db.session.scalar(select(func.count()).select_from(
        query.order_by(None).subquery())) or 0
    number = min(page_number(args), max(1, -(-total // per_page)))
    limited = query.limit(per_page).offset((number - 1) * per_page)
    result = db.session.scalars(limited) if scalars else db.session.execute(limited)
    return Page(list(result), number, per_page, int(total))


@dataclass(frozen=True)
class DateRange:
    """Local calendar days `first`..`last` (either open), as UTC bounds [start, end)."""

    first: date | None
    last: date | None

    @property
    def start(self) -> datetime | None:
        return datetime.combine(self.first, time(), LOCAL_TZ) if self.first else None

    @property
    def end(self) -> datetime | None:
        return datetime.combine(self.last + timedelta(days=1), time(), LOCAL_TZ) \
            if self.last else None

    def apply(self, query: Select, column) -> Select:
        if self.start is not None:
            query = query.where(column >= self.start)
        if self.end is not None:
            query = query.where(column < self.end)
        return query


def _day(text: str, field: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(_l("Enter a date like 2026-11-29."), "invalid_date",
                              field=field) from None


def date_range(args) -> DateRange:
    """`from` and `to` (YYYY-MM-DD, local days, both included); a ValidationError (400) for
    a date that is not one or a range that ends before it starts."""
    first, last = _day(args.get("from", ""), "from"), _day(args.get("to", ""), "to")
    if first and last and last < first:
        raise ValidationError(_l("The end of the period is before its start."),
                              "end_before_start", field="to")
    return DateRange(first, last)
