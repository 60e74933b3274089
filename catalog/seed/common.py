"""What the demo catalog steps share: reference rows, the plan of each product, counters
and small helpers."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Category, Grade, GradeStandard, Product, ProductStatus, RegionalBrand
from catalog.seed.data import Template
from suppliers.models import Supplier, SupplierStatus
from yipin.accounts.models import Role, SupplierRole, User
from yipin.regions.models import GANZHOU
from yipin.seed.places import Places

TEST_CENTRE = "赣州市农产品质量安全检测中心"
SELLING = (SupplierStatus.VERIFIED, SupplierStatus.SUSPENDED)  # suspended: listed before

# ----------------------------------------------------------------------------- lookups


@dataclass
class Reference(Places):
    """Reference rows and Ganzhou's places, loaded once."""

    categories: dict[str, Category]
    brands: dict[str, RegionalBrand]
    standards: dict[str, GradeStandard]
    grades: dict[tuple[str, str], Grade]  # (standard code, grade code)
    operator: User
    owners: dict[int, User]

    @classmethod
    def load(cls, session: Session, supplier_ids: list[int]) -> Reference:  # type: ignore[override]
        places = Places.load(session, GANZHOU)
        standards = {s.code: s for s in session.scalars(sa.select(GradeStandard))}
        grades = {
            (g.standard.code, g.code): g
            for g in session.scalars(sa.select(Grade).join(GradeStandard))
        }
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
            regions=places.regions,
            villages=places.villages,
            categories={c.slug: c for c in session.scalars(sa.select(Category))},
            brands={b.slug: b for b in session.scalars(sa.select(RegionalBrand))},
            standards=standards,
            grades=grades,
            operator=operator,
            owners=owners,
        )


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


def unique(seen: set[str], make: Any) -> str:
    """A value from ``make()`` not in ``seen`` (codes and certificate numbers)."""
    for _ in range(50):
        value = make()
        if value not in seen:
            seen.add(value)
            return str(value)
    raise RuntimeError("could not draw a unique value")
