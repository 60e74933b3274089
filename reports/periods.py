"""Calendar periods in Asia/Shanghai: days, months, quarters and years, as reports mean them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from yipin.clock import SHANGHAI


class Grain(StrEnum):
    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a Shanghai calendar day starts and ends (end exclusive)."""
    start = datetime.combine(day, time(0), SHANGHAI).astimezone(UTC)
    return start, start + timedelta(days=1)


def local_day(at: datetime) -> date:
    return at.astimezone(SHANGHAI).date()


def bucket_start(day: date, grain: Grain) -> date:
    """The first day of the period of ``grain`` that contains ``day``."""
    if grain == Grain.DAY:
        return day
    if grain == Grain.MONTH:
        return day.replace(day=1)
    if grain == Grain.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def next_bucket(start: date, grain: Grain) -> date:
    if grain == Grain.DAY:
        return start + timedelta(days=1)
    if grain == Grain.YEAR:
        return date(start.year + 1, 1, 1)
    months = 1 if grain == Grain.MONTH else 3
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def bucket_label(start: date, grain: Grain) -> str:
    if grain == Grain.DAY:
        return start.isoformat()
    if grain == Grain.MONTH:
        return f"{start.year}-{start.month:02d}"
    if grain == Grain.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def buckets(start: date, end: date, grain: Grain) -> list[date]:
    """Every period start of ``grain`` from the one holding ``start`` to the one holding ``end``."""
    out = []
    cursor = bucket_start(start, grain)
    while cursor <= end:
        out.append(cursor)
        cursor = next_bucket(cursor, grain)
    return out


@dataclass(frozen=True)
class Span:
    """A range of Shanghai calendar days, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Span:
        """The span just before, as long: a whole year before a whole year, a month before a
        whole month, otherwise the same number of days."""
        if (
            self.start.month == 1
            and self.start.day == 1
            and self.end == date(self.start.year, 12, 31)
        ):
            return year_span(self.start.year - 1)
        if self.start.day == 1 and next_bucket(self.start, Grain.MONTH) - timedelta(1) == self.end:
            prev_end = self.start - timedelta(days=1)
            return Span(prev_end.replace(day=1), prev_end)
        return Span(self.start - timedelta(days=self.days), self.start - timedelta(days=1))


def year_span(year: int) -> Span:
    return Span(date(year, 1, 1), date(year, 12, 31))
