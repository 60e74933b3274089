"""Operator console: every warehouse (platform-run 统仓共配 and supplier-run) with stock totals.

Operators create, edit, close and reopen warehouses; bureau staff may read the list and the
stock of each warehouse in their region.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request, url_for

from fulfillment import queries
from fulfillment.models import Warehouse, WarehouseKind
from fulfillment.warehouse_views import WarehouseViews
from suppliers.models import Supplier
from yipin.accounts.forms import EmptyForm
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, load, role_required
from yipin.db import db
from yipin.i18n import _

bp = Blueprint(
    "console_warehouses", __name__, url_prefix="/console/warehouses", template_folder="templates"
)
PER_PAGE = 50


@bp.get("/")
@role_required(Role.OPERATOR, Role.BUREAU)
def warehouses() -> Any:
    """All warehouses, filtered by county, kind, who runs them and open/closed."""
    user = actor()
    county = request.args.get("county", "").strip() or None
    kind_arg = request.args.get("kind", "")
    kind = WarehouseKind(kind_arg) if kind_arg in {k.value for k in WarehouseKind} else None
    operator = (
        request.args.get("operator")
        if request.args.get("operator")
        in (
            "platform",
            "supplier",
        )
        else None
    )
    state = request.args.get("state", "open")
    active = {"open": True, "closed": False}.get(state)
    stmt = queries.warehouses_stmt(user, county=county, kind=kind, operator=operator, active=active)
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    rows = queries.with_totals(db.session, list(page.items), user)
    return render_template(
        "console/warehouses/list.html",
        section="warehouses",
        page=page,
        rows=rows,
        counties=queries.warehouse_counties(db.session, user),
        kinds=list(WarehouseKind),
        filters={
            "county": county or "",
            "kind": kind.value if kind else "",
            "operator": operator or "",
            "state": state,
        },
        empty_form=EmptyForm(),
    )


@bp.get("/<int:warehouse_id>")
@role_required(Role.OPERATOR, Role.BUREAU)
def detail(warehouse_id: int) -> Any:
    """One warehouse: its facts and the stock of every supplier in it."""
    user = actor()
    warehouse = load(Warehouse, warehouse_id)
    if user.role == Role.BUREAU and not warehouse.region_code.startswith(user.bureau_scope):
        abort(404)  # outside the bureau's region
    page = db.paginate(
        queries.warehouse_stock(warehouse.id, user), per_page=PER_PAGE, error_out=False
    )
    return render_template(
        "console/warehouses/detail.html",
        section="warehouses",
        warehouse=warehouse,
        page=page,
        empty_form=EmptyForm(),
    )


def _runners() -> list[tuple[Any, str]]:
    suppliers = db.session.execute(sa.select(Supplier.id, Supplier.name).order_by(Supplier.name))
    return [("", _("The platform (shared, 统仓共配)")), *[(sid, name) for sid, name in suppliers]]


SCREENS = WarehouseViews(
    template="console/warehouses/form.html",
    section="warehouses",
    runners=_runners,
    after_change=lambda warehouse: url_for(".detail", warehouse_id=warehouse.id),
)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def new() -> Any:
    return SCREENS.new()


@bp.route("/<int:warehouse_id>/edit", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def edit(warehouse_id: int) -> Any:
    return SCREENS.edit(warehouse_id)


@bp.post("/<int:warehouse_id>/active")
@role_required(Role.OPERATOR)
def toggle(warehouse_id: int) -> Any:
    """Close an open warehouse or reopen a closed one."""
    return SCREENS.toggle(warehouse_id)
