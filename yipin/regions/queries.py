"""Region look-ups."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from yipin.config import platform_region
from yipin.regions.models import Region, RegionLevel


def children(session: Session, parent_code: str | None) -> list[Region]:
    """Direct children of a region, or the provinces when ``parent_code`` is None."""
    stmt = sa.select(Region).order_by(Region.code)
    if parent_code:
        stmt = stmt.where(Region.parent_code == parent_code)
    else:
        stmt = stmt.where(Region.level == RegionLevel.PROVINCE)
    return list(session.scalars(stmt))


def has_children(region: Region) -> bool:
    """Counties outside the platform's region are leaves; inside it the tree goes down to
    villages (supply — suppliers, origins, village stations — needs that precision)."""
    if region.level in (RegionLevel.PROVINCE, RegionLevel.CITY):
        return True
    if region.level == RegionLevel.VILLAGE:
        return False
    return region.code.startswith(platform_region())


def path(session: Session, region: Region) -> list[Region]:
    """The region and its ancestors, province first."""
    codes = region.ancestor_codes()
    found = {r.code: r for r in session.scalars(sa.select(Region).where(Region.code.in_(codes)))}
    return [found[c] for c in codes if c in found]


def search(session: Session, text: str, within: str | None = None, limit: int = 20) -> list[Region]:
    """Regions whose name contains ``text`` (optionally under ``within``), shortest codes first."""
    text = text.strip()
    if not text:
        return []
    stmt = sa.select(Region).where(Region.name.contains(text, autoescape=True))
    if within:
        stmt = stmt.where(Region.code.startswith(within, autoescape=True))
    stmt = stmt.order_by(sa.func.length(Region.code), Region.code).limit(limit)
    return list(session.scalars(stmt))


def counts_under(session: Session, code: str) -> dict[str, int]:
    """How many regions of each level lie under ``code``."""
    rows = session.execute(
        sa.select(Region.level, sa.func.count())
        .where(Region.code.startswith(code), Region.code != code)
        .group_by(Region.level)
    ).all()
    return {str(level): n for level, n in rows}
