"""What the demo catalog steps share: reference rows, the plan of each product, counters
and small helpers."""

from __future__ import annotations

import re
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Category, Grade, GradeStandard, Product, ProductStatus, RegionalBrand
from catalog.seed import data
from catalog.seed.data import Template
from suppliers.models import Supplier, SupplierStatus
from yipin import clock
from yipin.accounts.models import Role, SupplierRole, User
from yipin.regions.models import GANZHOU, Region, RegionLevel

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as catalog.batches: no 0/O, 1/I/L
COMMITMENTS = [
    "不使用禁用农药兽药、停用兽药和非法添加物",
    "常规农药兽药残留不超标",
    "对承诺的真实性负责",
]
TEST_CENTRE = "赣州市农产品质量安全检测中心"
SELLING = (SupplierStatus.VERIFIED, SupplierStatus.SUSPENDED)  # suspended: listed before

# ----------------------------------------------------------------------------- lookups


@dataclass
class Reference:
    """Reference rows and Ganzhou's regions, loaded once."""

    categories: dict[str, Category]
    brands: dict[str, RegionalBrand]
    standards: dict[str, GradeStandard]
    grades: dict[tuple[str, str], Grade]  # (standard code, grade code)
    regions: dict[str, Region]
    villages: dict[str, list[str]]  # county code -> village codes (村, not 居委会)
    operator: User
    owners: dict[int, User]

    @classmethod
    def load(cls, session: Session, supplier_ids: list[int]) -> Reference:
        standards = {s.code: s for s in session.scalars(sa.select(GradeStandard))}
        grades = {
            (g.standard.code, g.code): g
            for g in session.scalars(sa.select(Grade).join(GradeStandard))
        }
        regions = {
            r.code: r
            for r in session.scalars(sa.select(Region).where(Region.code.startswith(GANZHOU)))
        }
        villages: dict[str, list[str]] = {}
        for code, region in sorted(regions.items()):
            if region.level == RegionLevel.VILLAGE and re.search(r"村(民)?委员?会$", region.name):
                villages.setdefault(code[:6], []).append(code)
        operator = session.scalars(
            sa.select(User).where(User.role == Role.OPERATOR).order_by(User.id)
        ).first()
        if operator is None:
            raise RuntimeError("the demo operator must be seeded before the catalog")
        owners = {
            u.supplier_id: u
            for u in session.scalars(
                sa.select(User).where(
                    User.supplier_id.in_(supplier_ids), User.supplier_role == SupplierRole.OWNER
                )
            )
            if u.supplier_id is not None
        }
        return cls(
            categories={c.slug: c for c in session.scalars(sa.select(Category))},
            brands={b.slug: b for b in session.scalars(sa.select(RegionalBrand))},
            standards=standards,
            grades=grades,
            regions=regions,
            villages=villages,
            operator=operator,
            owners=owners,
        )

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


@dataclass
class Shot:
    """A picture to draw: still-life kind, title, caption, alt text."""

    kind: str
    title: str
    caption: str
    alt: str
    seed: int
    picture: Future[bytes] | None = None


@dataclass
class Plan:
    """One product to make: who, from what template, under which brand."""

    supplier: Supplier
    template: Template
    brand: RegionalBrand | None
    place: str
    origin: str  # village code
    status: ProductStatus = ProductStatus.LISTED
    shots: list[Shot] = field(default_factory=list)
    product: Product | None = None
    history: list[str] = field(default_factory=list)


@dataclass
class Stats:
    products: int = 0
    listed: int = 0
    variants: int = 0
    images: int = 0
    batches: int = 0
    certifications: int = 0
    warehouses: int = 0
    stock_rows: int = 0
    orders: int = 0


SUFFIXES = r"(专业合作社|合作社|家庭农场|有限公司|农业|果业|茶业|食品|开发).*$"


def short_name(supplier: Supplier, ref: Reference) -> str:
    """What products call the supplier: 信丰县安西脐橙专业合作社 → 安西."""
    if supplier.name in data.SHORT_NAMES:
        return data.SHORT_NAMES[supplier.name]
    name = re.sub(r"^(江西省?|赣州市?)", "", supplier.name)
    name = name.replace(ref.county_name(supplier.region_code), "")
    return re.sub(SUFFIXES, "", name)[:4]


def unique(seen: set[str], make: Any) -> str:
    """A value from ``make()`` not in ``seen`` (codes and certificate numbers)."""
    for _ in range(50):
        value = make()
        if value not in seen:
            seen.add(value)
            return str(value)
    raise RuntimeError("could not draw a unique value")


def at(day: date, hour: int = 10) -> datetime:
    """A moment on ``day`` in Shanghai, as an aware UTC datetime."""
    return datetime.combine(day, time(hour, 0), tzinfo=clock.SHANGHAI).astimezone(UTC)
