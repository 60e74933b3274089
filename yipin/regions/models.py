"""Region: one row per division, from province (2-digit code) down to village (12 digits)."""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from yipin.db import Base, enum_column

GANZHOU = "3607"  # 赣州市: the demo's region (seed data); the platform's is PLATFORM_REGION


class RegionLevel(StrEnum):
    PROVINCE = "province"  # 省级
    CITY = "city"  # 地级
    COUNTY = "county"  # 县级 (GB/T 2260, 6 digits)
    TOWNSHIP = "township"  # 乡级 (9 digits)
    VILLAGE = "village"  # 村级 (12 digits)


LEVEL_BY_LENGTH = {
    2: RegionLevel.PROVINCE,
    4: RegionLevel.CITY,
    6: RegionLevel.COUNTY,
    9: RegionLevel.TOWNSHIP,
    12: RegionLevel.VILLAGE,
}


class Region(Base):
    """A division with its code as key; the code's prefixes are its ancestors."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    level: Mapped[RegionLevel] = enum_column(RegionLevel)
    parent_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))

    @property
    def province_code(self) -> str:
        return self.code[:2]

    @property
    def city_code(self) -> str | None:
        return self.code[:4] if len(self.code) >= 4 else None

    @property
    def county_code(self) -> str | None:
        return self.code[:6] if len(self.code) >= 6 else None

    @property
    def township_code(self) -> str | None:
        return self.code[:9] if len(self.code) >= 9 else None

    def ancestor_codes(self) -> list[str]:
        """Codes from the province down to this region (inclusive)."""
        return [self.code[:n] for n in (2, 4, 6, 9, 12) if n <= len(self.code)]

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.full_name}>"
