"""Bureau pages (read-only): the platform in the bureau's region at a glance."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template

from catalog.models import Product, ProductStatus
from suppliers.models import Supplier, SupplierStatus
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, role_required
from yipin.config import platform_region
from yipin.db import db
from yipin.regions.models import Region, RegionLevel

bp = Blueprint("bureau", __name__, url_prefix="/bureau", template_folder="templates")


@bp.get("/")
@role_required(Role.BUREAU, Role.OPERATOR)
def home() -> Any:
    """Suppliers and listed products per county of the bureau's scope."""
    user = actor()
    scope = user.bureau_scope if user.role == Role.BUREAU else platform_region()
    region = db.session.get(Region, scope)
    counties = db.session.scalars(
        sa.select(Region)
        .where(Region.level == RegionLevel.COUNTY, Region.code.startswith(scope))
        .order_by(Region.code)
    ).all()
    county = sa.func.substr(Supplier.region_code, 1, 6)
    suppliers = dict(
        db.session.execute(
            sa.select(county, sa.func.count())
            .where(
                Supplier.status == SupplierStatus.VERIFIED, Supplier.region_code.startswith(scope)
            )
            .group_by(county)
        ).all()
    )
    origin = sa.func.substr(Product.origin_region_code, 1, 6)
    products = dict(
        db.session.execute(
            sa.select(origin, sa.func.count())
            .where(
                Product.status == ProductStatus.LISTED, Product.origin_region_code.startswith(scope)
            )
            .group_by(origin)
        ).all()
    )
    rows = [(c, suppliers.get(c.code, 0), products.get(c.code, 0)) for c in counties]
    return render_template(
        "bureau/home.html",
        region=region,
        rows=rows,
        total_suppliers=sum(suppliers.values()),
        total_products=sum(products.values()),
    )
