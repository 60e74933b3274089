"""Load the bundled region files (NBS 2022 codes, china-division 2.7.0 layout) into the table,
and the townships and villages of another platform region from files in the same layout."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from yipin.regions.models import LEVEL_BY_LENGTH, Region

DATA = Path(__file__).parent / "data"
FILES = (
    "provinces.csv",
    "cities.csv",
    "areas.csv",
    "ganzhou_townships.csv",
    "ganzhou_villages.csv",
)
# Municipalities and some provinces list counties under a placeholder "city"; full names skip it.
PLACEHOLDER_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def _parent(code: str) -> str | None:
    cuts = {4: 2, 6: 4, 9: 6, 12: 9}
    return code[: cuts[len(code)]] if len(code) in cuts else None


def _read(path: Path) -> Iterator[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            yield row["code"].strip(), row["name"].strip()


def read_rows(extra: Sequence[Path] = ()) -> Iterator[tuple[str, str]]:
    """(code, name) of every bundled region, then of the ``extra`` files (CSV with ``code`` and
    ``name`` columns: a platform region's townships and villages), parents before children."""
    for filename in FILES:
        yield from _read(DATA / filename)
    added = sorted({row for path in extra for row in _read(Path(path))}, key=_by_level)
    for code, name in added:
        if len(code) not in LEVEL_BY_LENGTH:
            raise ValueError(f"region code {code!r} is not 2, 4, 6, 9 or 12 digits long")
        yield code, name


def _by_level(row: tuple[str, str]) -> tuple[int, str]:
    return len(row[0]), row[0]


def row_count(extra: Sequence[Path] = ()) -> int:
    return sum(1 for _ in read_rows(extra))


def load_regions(
    session: Session,
    progress: Callable[[int], None] | None = None,
    batch: int = 1000,
    extra: Sequence[Path] = (),
) -> int:
    """Insert the bundled regions (and those of ``extra`` files) that are missing; returns how
    many were added. Idempotent."""
    existing = set(session.scalars(sa.select(Region.code)))
    full_names: dict[str, str] = {}
    pending: list[dict[str, str]] = []
    added = 0
    for code, name in read_rows(extra):
        parent = _parent(code)
        if parent and parent not in full_names:
            raise ValueError(f"region {code} {name}: its parent {parent} is unknown")
        parent_full = full_names.get(parent, "") if parent else ""
        shown = name if name not in PLACEHOLDER_CITIES else ""
        full = " ".join(p for p in (parent_full, shown) if p)
        full_names[code] = full
        if progress:
            progress(1)
        if code in existing:
            continue
        pending.append(
            {
                "code": code,
                "name": name,
                "level": LEVEL_BY_LENGTH[len(code)].value,
                "parent_code": parent,
                "full_name": full,
            }
        )
        if len(pending) >= batch:
            session.execute(sa.insert(Region), pending)
            added += len(pending)
            pending.clear()
    if pending:
        session.execute(sa.insert(Region), pending)
        added += len(pending)
    session.flush()
    return added
