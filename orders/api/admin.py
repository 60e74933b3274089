"""Operators' data of the order side: the shipping rate card, the 国有企业 list; and the sales
ledger (operators all, supplier staff their own, bureau staff their region: read-only)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView

from fulfillment.models import ShippingRate, ShippingService
from fulfillment.shipping import update_rate
from orders import buyers, queries
from orders.api.common import DATES
from orders.models import StateOwnedEnterprise
from orders.schemas.operators import (
    LedgerEntrySchema,
    LedgerQuerySchema,
    RateQuerySchema,
    ShippingRateSchema,
    ShippingRateUpdateSchema,
    StateOwnedSchema,
)
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor
from yipin.api import Blueprint, page_of
from yipin.db import commit, db

blp = Blueprint(
    "orders_admin_api",
    __name__,
    description="Shipping rate card, state-owned enterprises, sales ledger"
    " · 运费表、国有企业名单、销售台账",
)


@blp.route("/shipping-rates")
class ShippingRates(MethodView):
    @blp.arguments(RateQuerySchema, location="query")
    @blp.response(200, ShippingRateSchema(many=True))
    @blp.paginate()
    @blp.login_required(Role.OPERATOR)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """Shipping rates · 运费表

        The rate card: first + additional weight per service, province and storage class.

        运费表：按快递服务、省份和储存条件列出首重、续重价格。"""
        stmt = (
            sa.select(ShippingRate)
            .join(ShippingService, ShippingService.id == ShippingRate.service_id)
            .order_by(ShippingService.sort_order, ShippingRate.province_code, ShippingRate.id)
        )
        if args.get("province_code"):
            stmt = stmt.where(ShippingRate.province_code == args["province_code"])
        if args.get("service"):
            stmt = stmt.where(ShippingService.code == args["service"])
        return page_of(stmt, pagination_parameters)


@blp.route("/shipping-rates/<int:rate_id>")
class ShippingRateById(MethodView):
    @blp.arguments(ShippingRateUpdateSchema, example={"first_fen": 1200, "step_fen": 500})
    @blp.response(200, ShippingRateSchema)
    @blp.login_required(Role.OPERATOR)
    def patch(self, data: dict[str, Any], rate_id: int) -> Any:
        """Change a rate · 修改运费

        Change a rate of the card; the next quote uses it.

        修改运费表中的一项，下一次报价即按新价格计算。"""
        rate = update_rate(db.session, actor(), rate_id, data)
        commit()
        return rate


@blp.route("/state-owned-enterprises")
class StateOwned(MethodView):
    @blp.response(200, StateOwnedSchema(many=True))
    @blp.paginate()
    @blp.login_required(Role.OPERATOR)
    def get(self, pagination_parameters: Any) -> list[Any]:
        """State-owned enterprises · 国有企业名单

        The list of state-owned enterprises buyer-type recognition reads.

        识别买家类型时使用的国有企业名单。"""
        stmt = sa.select(StateOwnedEnterprise).order_by(StateOwnedEnterprise.name)
        return page_of(stmt, pagination_parameters)

    @blp.arguments(
        StateOwnedSchema,
        example={"uscc": "91360700MA35XXXX0X", "name": "赣州市某国有农业公司", "note": ""},
    )
    @blp.response(201, StateOwnedSchema)
    @blp.errors((409, "The enterprise is on the list already · 该企业已在名单中"))
    @blp.rules(
        "The 统一社会信用代码 is a valid enterprise code (GB 32100-2015)"
        " · 统一社会信用代码须为有效的企业代码"
    )
    @blp.login_required(Role.OPERATOR)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a state-owned enterprise · 添加国有企业

        Add an enterprise to the list (its 统一社会信用代码 must be a valid enterprise code).

        将企业加入国有企业名单（统一社会信用代码须为有效的企业代码）。"""
        row = buyers.add_state_owned(db.session, actor(), data["uscc"], data["name"], data["note"])
        commit()
        return row


@blp.route("/state-owned-enterprises/<int:soe_id>")
class StateOwnedById(MethodView):
    @blp.response(204)
    @blp.login_required(Role.OPERATOR)
    def delete(self, soe_id: int) -> None:
        """Remove a state-owned enterprise · 移除国有企业

        Remove an enterprise from the list (orders already placed keep their buyer type).

        将企业移出名单（已下的订单保留原买家类型）。"""
        buyers.remove_state_owned(db.session, actor(), soe_id)
        commit()


@blp.route("/ledger")
class Ledger(MethodView):
    @blp.arguments(LedgerQuerySchema, location="query")
    @blp.response(200, LedgerEntrySchema(many=True))
    @blp.paginate()
    @blp.rules(DATES)
    @blp.login_required(Role.OPERATOR, Role.SUPPLIER, Role.BUREAU)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """Sales ledger · 销售台账

        Sales ledger entries, oldest first (``after_id`` for incremental readers): operators
        all, supplier staff their own, bureau staff their region's.

        销售台账记录，按时间先后排列（增量读取用 ``after_id``）：运营人员看全部，供应商员工看
        本供应商的，商务局看辖区内的。"""
        return page_of(queries.ledger_stmt(actor(), **args), pagination_parameters)
