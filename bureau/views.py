"""Bureau pages (read-only): the platform in the bureau's region at a glance."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from bureau import queries
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, role_required
from yipin.config import platform_region
from yipin.db import db

bp = Blueprint("bureau", __name__, url_prefix="/bureau", template_folder="templates")


@bp.get("/")
@role_required(Role.BUREAU, Role.OPERATOR)
def home() -> Any:
    """Suppliers and listed products per county of the bureau's scope."""
    user = actor()
    scope = user.bureau_scope if user.role == Role.BUREAU else platform_region()
    stats = queries.region_statistics(db.session, scope)
    return render_template(
        "bureau/home.html",
        region=stats.region,
        rows=[(r.county, r.verified_suppliers, r.listed_products) for r in stats.counties],
        total_suppliers=stats.verified_suppliers,
        total_products=stats.listed_products,
    )
