"""The one source of "now". Tests set it; no test sleeps to wait for time."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_frozen: datetime | None = None
_offset = timedelta(0)


def now() -> datetime:
    """The current time, timezone-aware in UTC."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC) + _offset


def today_local() -> date:
    """Today's date in China (Asia/Shanghai): the date users and reports mean."""
    return now().astimezone(SHANGHAI).date()


def to_local(value: datetime) -> datetime:
    return value.astimezone(SHANGHAI)


def freeze(at: datetime) -> None:
    """Stop the clock at ``at`` (tests)."""
    global _frozen
    if at.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen = at.astimezone(UTC)


def advance(delta: timedelta) -> None:
    """Move the clock forward, frozen or not (tests)."""
    global _frozen, _offset
    if _frozen is not None:
        _frozen = _frozen + delta
    else:
        _offset += delta


def reset() -> None:
    global _frozen, _offset
    _frozen = None
    _offset = timedelta(0)


@contextlib.contextmanager
def travel(at: datetime) -> Iterator[None]:
    """Run a block with the clock stopped at ``at`` (it may be moved inside); the clock is
    back as it was afterwards. The demo seed replays a year of orders this way."""
    global _frozen, _offset
    saved = (_frozen, _offset)
    freeze(at)
    try:
        yield
    finally:
        _frozen, _offset = saved
