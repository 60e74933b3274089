"""What the bureau reads: the platform in its region, county by county (one home for the page
and the API)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Product, ProductStatus
from suppliers.models import Supplier, SupplierStatus
from yipin.regions.models import Region, RegionLevel


@dataclass(frozen=True)
class CountyRow:
    county: Region
    verified_suppliers: int
    listed_products: int


@dataclass(frozen=True)
class RegionStatistics:
    region: Region | None
    scope: str  # the region code the figures cover
    counties: list[CountyRow]

    @property
    def verified_suppliers(self) -> int:
        return sum(row.verified_suppliers for row in self.counties)

    @property
    def listed_products(self) -> int:
        return sum(row.listed_products for row in self.counties)


def region_statistics(session: Session, scope: str) -> RegionStatistics:
    """Verified suppliers (where they are) and listed products (where they come from) per
    county of ``scope``, a province, city or county code."""
    counties = session.scalars(
        sa.select(Region)
        .where(Region.level == RegionLevel.COUNTY, Region.code.startswith(scope))
        .order_by(Region.code)
    ).all()
    county = sa.func.substr(Supplier.region_code, 1, 6)
    suppliers = dict(
        session.execute(
            sa.select(county, sa.func.count())
            .where(
                Supplier.status == SupplierStatus.VERIFIED, Supplier.region_code.startswith(scope)
            )
            .group_by(county)
        ).all()
    )
    origin = sa.func.substr(Product.origin_region_code, 1, 6)
    products = dict(
        session.execute(
            sa.select(origin, sa.func.count())
            .where(
                Product.status == ProductStatus.LISTED, Product.origin_region_code.startswith(scope)
            )
            .group_by(origin)
        ).all()
    )
    return RegionStatistics(
        region=session.get(Region, scope),
        scope=scope,
        counties=[
            CountyRow(c, suppliers.get(c.code, 0), products.get(c.code, 0)) for c in counties
        ],
    )
