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
from flask_smorest import Page
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
from yipin.accounts.permissions import actor, load
from yipin.api import Blueprint, page_of
from yipin.db import commit, db

blp = Blueprint(
    "stock_api",
    __name__,
    description="Warehouses and stock, with the stock movement log · 仓库、库存与库存流水",
)
COLD_RULE = (
    "A chilled or frozen product needs a cold enough warehouse · 冷藏、冷冻商品须放在温度相符的仓库"
)
WAREHOUSE_RULES = (
    "The region exists and fits the kind: a village service station (村级服务站) in a"
    " village, a township outlet (乡镇网点) in a township, the others in a county or below"
    " · 区划须存在且与仓库类型相符",
    "Supplier staff run warehouses of their own supplier only; a platform warehouse is the"
    " operators' · 供应商员工只能管理本供应商的仓库",
)
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
    @blp.login_required(*READERS)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """Warehouses · 仓库列表

        The warehouses the caller may see, with stock totals (supplier staff: their own
        units only). Filter by county, kind, who runs it and whether it is open.

        调用者可见的仓库及库存合计（供应商员工只计本供应商的库存），可按县、类型、运营方和
        是否启用筛选。"""
        user = actor()
        page = page_of(queries.warehouses_stmt(user, **args), pagination_parameters)
        return [_WithTotals(r) for r in queries.with_totals(db.session, page, user)]

    @blp.arguments(
        WarehouseCreateSchema,
        example={
            "code": "XW-ORIGIN-01",
            "name": "寻乌县产地仓",
            "kind": "origin",
            "region_code": "360734",
            "cold_capability": "chilled",
            "contact_phone": "13907971234",
        },
    )
    @blp.response(201, WarehouseSchema)
    @blp.errors((409, "The code is taken · 仓库编码已存在"))
    @blp.rules(*WAREHOUSE_RULES)
    @blp.login_required(*KEEPERS)
    def post(self, data: dict[str, Any]) -> Warehouse:
        """Create a warehouse · 新建仓库

        Operators create any warehouse (run by the platform when ``supplier_id`` is null);
        supplier staff create one run by their own supplier.

        平台运营可新建任意仓库（``supplier_id`` 为空时由平台运营）；供应商员工只能新建本
        供应商运营的仓库。"""
        warehouse = actions.create_warehouse(db.session, actor(), actions.WarehouseDraft(**data))
        commit()
        return warehouse


@blp.route("/warehouses/<int:warehouse_id>")
class WarehouseById(MethodView):
    @blp.response(200, WarehouseSchema)
    @blp.login_required(*READERS)
    def get(self, warehouse_id: int) -> Warehouse:
        """One warehouse · 仓库详情

        A warehouse the caller may see.

        调用者可见的某一仓库。"""
        return _readable_warehouse(warehouse_id)

    @blp.arguments(
        WarehouseUpdateSchema, example={"name": "寻乌县产地仓（冷库）", "is_active": True}
    )
    @blp.response(200, WarehouseSchema)
    @blp.errors((409, "The code is taken, or the warehouse holds stock · 编码已存在或仓库仍有库存"))
    @blp.rules(*WAREHOUSE_RULES)
    @blp.login_required(*KEEPERS)
    def patch(self, data: dict[str, Any], warehouse_id: int) -> Warehouse:
        """Change a warehouse · 修改仓库

        Any subset of its fields; ``is_active: false`` closes it (refused with 409 while it
        holds or has reserved units).

        可修改任意字段；``is_active: false`` 表示停用（仍有库存或预留时返回 409）。"""
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
    @blp.login_required(*READERS)
    def get(self, args: dict[str, Any]) -> Any:
        """Stock · 库存

        Stock rows in the caller's scope (supplier staff: their own variants), by variant and
        warehouse; ``low`` keeps the rows with at most that many units available.

        调用者范围内的库存（供应商员工只看本供应商的商品），``low`` 只列出可用数量不超过该值的
        记录。"""
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

    @blp.arguments(
        StockSetSchema,
        example={"variant_id": 1, "warehouse_id": 1, "on_hand": 120, "reason": "盘点"},
    )
    @blp.response(200, StockSchema)
    @blp.errors(
        (409, "Below the reserved units, or the warehouse is closed · 低于预留数量或仓库已停用")
    )
    @blp.rules(COLD_RULE)
    @blp.login_required(*KEEPERS)
    def put(self, data: dict[str, Any]) -> Stock:
        """Set the units on hand · 盘点库存

        A stocktake: the units on hand of a variant in a warehouse. Refused (409) below the
        units reserved for orders.

        盘点：设置某商品规格在某仓库的在库数量；低于订单预留数量时返回 409。"""
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
    @blp.arguments(
        StockAdjustmentSchema,
        example={"variant_id": 1, "warehouse_id": 1, "delta": -3, "reason": "运输破损"},
    )
    @blp.response(201, StockSchema)
    @blp.errors((409, "Fewer units than reserved would be left · 调整后将低于预留数量"))
    @blp.rules(COLD_RULE)
    @blp.login_required(*KEEPERS)
    def post(self, data: dict[str, Any]) -> Stock:
        """Adjust stock · 调整库存

        Add (+) or remove (−) units with a reason, atomically; never below the units reserved
        for orders, so never below zero.

        按原因增加或减少库存（原子操作），不会低于订单预留数量，因此不会为负。"""
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
    @blp.login_required(*KEEPERS)
    def get(self, args: dict[str, Any]) -> Any:
        """Stock movements · 库存流水

        The stock movement log, newest first: stocktakes, adjustments, imports and orders.

        库存流水（最新在前）：盘点、调整、导入和订单。"""
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
