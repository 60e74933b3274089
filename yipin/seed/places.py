"""The demo platform's places: the regions under the platform region, loaded once, with the
everyday names seeding steps write into addresses, bases and warehouse names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from yipin import clock
from yipin.regions.models import Region, RegionLevel


@dataclass
class Places:
    """Regions under one prefix (the platform region) and their villages per county."""

    regions: dict[str, Region]
    villages: dict[str, list[str]]  # county code -> village codes (村, not 居委会)

    @classmethod
    def load(cls, session: Session, prefix: str) -> Places:
        regions = {
            r.code: r
            for r in session.scalars(sa.select(Region).where(Region.code.startswith(prefix)))
        }
        villages: dict[str, list[str]] = {}
        for code, region in sorted(regions.items()):
            if region.level == RegionLevel.VILLAGE and re.search(r"村(民)?委员?会$", region.name):
                villages.setdefault(code[:6], []).append(code)
        return cls(regions=regions, villages=villages)

    def county_name(self, code: str) -> str:
        region = self.regions.get(code[:6])
        return region.name if region else code[:6]

    def county_short(self, code: str) -> str:
        name = self.county_name(code)
        return name[:-1] if len(name) > 2 and name[-1] in "县区市" else name

    def village_short(self, code: str) -> str:
        region = self.regions.get(code)
        if region is None:
            return ""
        return re.sub(r"(村(民)?委员?会|居委会|社区)$", "村", region.name)

    def township_name(self, code: str) -> str:
        region = self.regions.get(code[:9])
        return region.name if region else ""

    def townships(self, county: str) -> list[str]:
        """Codes of the county's townships, in code order."""
        return sorted(c for c in self.regions if c.startswith(county) and len(c) == 9)


def at(day: date, hour: int = 10) -> datetime:
    """A moment on ``day`` in Shanghai, as an aware UTC datetime."""
    return datetime.combine(day, time(hour, 0), tzinfo=clock.SHANGHAI).astimezone(UTC)
