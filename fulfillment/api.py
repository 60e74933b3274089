"""Warehouses and stock JSON API.

Operators see and change every warehouse and stock row; supplier staff see their own warehouses
and the platform's shared ones, and keep the stock of their own variants; bureau staff read what
lies in their region. Another supplier's record is reported as missing (404).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint, Page
from sqlalchemy.orm import joinedload

from fulfillment import actions, queries
from fulfillment.models import Stock, StockMovement, Warehouse
from fulfillment.schemas import (
    StockAdjustmentSchema,
    StockMovementSchema,
    StockQuerySchema,
    StockSchema,
    StockSetSchema,
    WarehouseCreateSchema,
    WarehouseQuerySchema,
    WarehouseSchema,
    WarehouseUpdateSchema,
    WarehouseWithTotalsSchema,
)
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, load, role_required
from yipin.db import commit, db

blp = Blueprint("stock_api", __name__, description="Warehouses (仓库) and stock (库存)")
READERS = (Role.OPERATOR, Role.SUPPLIER, Role.BUREAU)
KEEPERS = (Role.OPERATOR, Role.SUPPLIER)


class SelectPage(Page):
    """flask-smorest pagination over a SQLAlchemy select (count, then one page)."""

    @property
    def item_count(self) -> int:
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(self.collection.order_by(None).subquery())
        )

    @property
    def items(self) -> list[Any]:
        return list(
            db.session.scalars(
                self.collection.limit(self.page_params.page_size).offset(
                    self.page_params.first_item
                )
            ).unique()
        )


class _WithTotals:
    """A warehouse with its stock totals, for the list schema."""

    def __init__(self, row: queries.WarehouseRow) -> None:
        self._row = row

    def __getattr__(self, name: str) -> Any:
        if name in ("on_hand", "reserved", "skus", "available"):
            return getattr(self._row, name)
        return getattr(self._row.warehouse, name)


def _readable_warehouse(warehouse_id: int) -> Warehouse:
    user = actor()
    warehouse = load(Warehouse, warehouse_id)
    if user.role == Role.BUREAU and not warehouse.region_code.startswith(user.bureau_scope):
        abort(404)
    return warehouse


@blp.route("/warehouses")
class Warehouses(MethodView):
    @blp.arguments(WarehouseQuerySchema, location="query")
    @blp.response(200, WarehouseWithTotalsSchema(many=True))
    @blp.paginate()
    @role_required(*READERS)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """Warehouses the caller may see, with stock totals (supplier staff: their own units)."""
        user = actor()
        stmt = queries.warehouses_stmt(user, **args)
        pagination_parameters.item_count = db.session.scalar(
            sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
        )
        page = list(
            db.session.scalars(
                stmt.limit(pagination_parameters.page_size).offset(pagination_parameters.first_item)
            ).unique()
        )
        return [_WithTotals(r) for r in queries.with_totals(db.session, page, user)]

    @blp.arguments(WarehouseCreateSchema)
    @blp.response(201, WarehouseSchema)
    @role_required(*KEEPERS)
    def post(self, data: dict[str, Any]) -> Warehouse:
        """Create a warehouse: operators any (platform-run when ``supplier_id`` is null);
        supplier staff one run by their own supplier."""
        warehouse = actions.create_warehouse(db.session, actor(), actions.WarehouseDraft(**data))
        commit()
        return warehouse


@blp.route("/warehouses/<int:warehouse_id>")
class WarehouseById(MethodView):
    @blp.response(200, WarehouseSchema)
    @role_required(*READERS)
    def get(self, warehouse_id: int) -> Warehouse:
        """One warehouse."""
        return _readable_warehouse(warehouse_id)

    @blp.arguments(WarehouseUpdateSchema)
    @blp.response(200, WarehouseSchema)
    @role_required(*KEEPERS)
    def patch(self, data: dict[str, Any], warehouse_id: int) -> Warehouse:
        """Change a warehouse (``is_active: false`` closes it)."""
        warehouse = load(Warehouse, warehouse_id, change=True)
        user = actor()
        active = data.pop("is_active", None)
        if data:
            current = {name: getattr(warehouse, name) for name in actions.WAREHOUSE_FIELDS}
            draft = actions.WarehouseDraft(**{**current, **data})
            actions.update_warehouse(db.session, user, warehouse.id, draft)
        if active is not None and active != warehouse.is_active:
            actions.set_warehouse_active(db.session, user, warehouse.id, active)
        commit()
        return warehouse


@blp.route("/stock")
class StockList(MethodView):
    @blp.arguments(StockQuerySchema, location="query")
    @blp.response(200, StockSchema(many=True))
    @blp.paginate(SelectPage)
    @role_required(*READERS)
    def get(self, args: dict[str, Any]) -> Any:
        """Stock rows in the caller's scope (supplier staff: their own variants)."""
        stmt = (
            sa.select(Stock)
            .options(joinedload(Stock.variant))
            .order_by(Stock.variant_id, Stock.warehouse_id)
        )
        stmt = queries.stock_scope(stmt, actor())
        if "warehouse_id" in args:
            stmt = stmt.where(Stock.warehouse_id == args["warehouse_id"])
        if "variant_id" in args:
            stmt = stmt.where(Stock.variant_id == args["variant_id"])
        if "low" in args:
            stmt = stmt.where(Stock.on_hand - Stock.reserved <= args["low"])
        return stmt

    @blp.arguments(StockSetSchema)
    @blp.response(200, StockSchema)
    @role_required(*KEEPERS)
    def put(self, data: dict[str, Any]) -> Stock:
        """Set the units on hand of a variant in a warehouse (a stocktake). Refused below the
        units reserved for orders; a chilled or frozen product needs a cold enough warehouse."""
        stock = actions.set_on_hand(
            db.session,
            actor(),
            data["variant_id"],
            data["warehouse_id"],
            data["on_hand"],
            reason=data["reason"],
        )
        commit()
        return stock


@blp.route("/stock/adjustments")
class StockAdjustments(MethodView):
    @blp.arguments(StockAdjustmentSchema)
    @blp.response(201, StockSchema)
    @role_required(*KEEPERS)
    def post(self, data: dict[str, Any]) -> Stock:
        """Add (+) or remove (−) units with a reason, atomically; never below the reserved units
        (so never below zero)."""
        stock = actions.adjust_stock(
            db.session,
            actor(),
            data["variant_id"],
            data["warehouse_id"],
            data["delta"],
            data["reason"],
        )
        commit()
        return stock


@blp.route("/stock/movements")
class StockMovements(MethodView):
    @blp.arguments(StockQuerySchema, location="query")
    @blp.response(200, StockMovementSchema(many=True))
    @blp.paginate(SelectPage)
    @role_required(*KEEPERS)
    def get(self, args: dict[str, Any]) -> Any:
        """The stock movement log (库存流水), newest first."""
        user = actor()
        stmt = (
            sa.select(StockMovement)
            .join(Stock, Stock.id == StockMovement.stock_id)
            .order_by(StockMovement.at.desc(), StockMovement.id.desc())
        )
        if user.role == Role.SUPPLIER:
            stmt = stmt.where(StockMovement.supplier_id == user.supplier_id)
        if "warehouse_id" in args:
            stmt = stmt.where(Stock.warehouse_id == args["warehouse_id"])
        if "variant_id" in args:
            stmt = stmt.where(Stock.variant_id == args["variant_id"])
        return stmt
