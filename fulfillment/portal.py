"""Supplier portal: warehouses and stock per variant per warehouse (库存)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for

from fulfillment import actions, queries
from fulfillment.actions import capability_label, kind_label
from fulfillment.forms import AdjustStockForm, SetStockForm
from fulfillment.models import Warehouse
from fulfillment.warehouse_views import WarehouseViews
from yipin.accounts.forms import EmptyForm
from yipin.accounts.models import Role, User
from yipin.accounts.permissions import actor, role_required
from yipin.db import db
from yipin.fields import arg_id
from yipin.i18n import _
from yipin.views import run_action

bp = Blueprint("stock_portal", __name__, url_prefix="/supplier/stock", template_folder="templates")
PER_PAGE = 30

bp.add_app_template_global(kind_label, "warehouse_kind_label")
bp.add_app_template_global(capability_label, "capability_label")


def low_threshold() -> int:
    return int(current_app.config.get("STOCK_LOW_THRESHOLD", queries.LOW_STOCK_DEFAULT))


def _stock_forms(user: User) -> tuple[SetStockForm, AdjustStockForm, list[Warehouse]]:
    set_form = SetStockForm(prefix="set")
    adjust_form = AdjustStockForm(prefix="adj")
    options = [
        (v.id, f"{v.product.name} · {v.spec} · {v.sku}")
        for v in db.session.scalars(queries.stock_variants(user.supplier_id))
    ]
    warehouses = queries.usable_warehouses(db.session, user.supplier_id)
    places = [
        (
            w.id,
            f"{w.name} ({w.code}) · {kind_label(w.kind)} · "
            + (_("platform shared") if w.is_platform_run else _("own"))
            + f" · {capability_label(w.cold_capability)}",
        )
        for w in warehouses
    ]
    for form in (set_form, adjust_form):
        form.variant_id.choices = options
        form.warehouse_id.choices = places
    if request.method == "GET":
        for form in (set_form, adjust_form):
            if arg_id("variant"):
                form.variant_id.data = arg_id("variant")
            if arg_id("warehouse"):
                form.warehouse_id.data = arg_id("warehouse")
    return set_form, adjust_form, warehouses


def _render_stock(
    set_form: SetStockForm | None = None,
    adjust_form: AdjustStockForm | None = None,
    status: int = 200,
) -> Any:
    user = actor()
    low = low_threshold()
    text = request.args.get("q", "")
    low_only = request.args.get("low") == "1"
    page = db.paginate(
        queries.stock_variants(user.supplier_id, text=text, low_only=low_only, low=low),
        per_page=PER_PAGE,
        error_out=False,
    )
    table = queries.stock_table(db.session, user.supplier_id, list(page.items), low)
    default_set, default_adjust, usable = _stock_forms(user)
    set_form = set_form or default_set
    adjust_form = adjust_form or default_adjust
    return (
        render_template(
            "fulfillment/stock.html",
            section="stock",
            page=page,
            table=table,
            usable=usable,
            set_form=set_form,
            adjust_form=adjust_form,
            movements=queries.recent_movements(db.session, user.supplier_id),
            q=text,
            low_only=low_only,
        ),
        status,
    )


def _stock_url(stock: Any) -> str:
    """The stock page opened on the row just changed."""
    return url_for(".stock", variant=stock.variant_id, warehouse=stock.warehouse_id)


@bp.get("/")
@role_required(Role.SUPPLIER)
def stock() -> Any:
    """The stock table: each variant × each warehouse, available = on hand − reserved."""
    return _render_stock()


def _choices_from(form: Any) -> None:
    user = actor()
    set_form, _adj, _w = _stock_forms(user)
    form.variant_id.choices = set_form.variant_id.choices
    form.warehouse_id.choices = set_form.warehouse_id.choices


@bp.post("/set")
@role_required(Role.SUPPLIER)
def set_stock() -> Any:
    form = SetStockForm(prefix="set")
    _choices_from(form)
    if form.validate_on_submit():
        response = run_action(
            lambda: actions.set_on_hand(
                db.session,
                actor(),
                form.variant_id.data,
                form.warehouse_id.data,
                form.on_hand.data,
                reason=form.reason.data or "",
            ),
            done=lambda stock: _(
                "Stock set: %(n)s units on hand, %(a)s available.",
                n=stock.on_hand,
                a=stock.available,
            ),
            to=_stock_url,
            form=form,
        )
        if response is not None:
            return response
    return _render_stock(set_form=form, status=422)


@bp.post("/adjust")
@role_required(Role.SUPPLIER)
def adjust() -> Any:
    form = AdjustStockForm(prefix="adj")
    _choices_from(form)
    if form.validate_on_submit():
        response = run_action(
            lambda: actions.adjust_stock(
                db.session,
                actor(),
                form.variant_id.data,
                form.warehouse_id.data,
                form.delta.data,
                form.reason.data or "",
            ),
            done=lambda stock: _(
                "Stock adjusted: %(n)s units on hand, %(a)s available.",
                n=stock.on_hand,
                a=stock.available,
            ),
            to=_stock_url,
            form=form,
        )
        if response is not None:
            return response
    return _render_stock(adjust_form=form, status=422)


# ----------------------------------------------------------------------------- warehouses


@bp.get("/warehouses")
@role_required(Role.SUPPLIER)
def warehouses() -> Any:
    """The supplier's own warehouses and the platform's shared ones it may use."""
    user = actor()
    rows = queries.with_totals(
        db.session, list(db.session.scalars(queries.warehouses_stmt(user))), user
    )
    own = [r for r in rows if r.warehouse.supplier_id == user.supplier_id]
    shared = [r for r in rows if r.warehouse.supplier_id is None and r.warehouse.is_active]
    return render_template(
        "fulfillment/warehouses.html",
        section="stock",
        own=own,
        shared=shared,
        empty_form=EmptyForm(),
    )


SCREENS = WarehouseViews(
    template="fulfillment/warehouse_form.html",
    section="stock",
    runners=lambda: [(actor().supplier_id, actor().supplier.name)],
    after_change=lambda _warehouse: url_for(".warehouses"),
)


@bp.route("/warehouses/new", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def new_warehouse() -> Any:
    return SCREENS.new()


@bp.route("/warehouses/<int:warehouse_id>/edit", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def edit_warehouse(warehouse_id: int) -> Any:
    return SCREENS.edit(warehouse_id)


@bp.post("/warehouses/<int:warehouse_id>/active")
@role_required(Role.SUPPLIER)
def toggle_warehouse(warehouse_id: int) -> Any:
    """Close an open warehouse or reopen a closed one."""
    return SCREENS.toggle(warehouse_id)
