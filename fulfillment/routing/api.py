"""Routing JSON API (under ``/api/v1``): fulfillment orders and their actions, decisions,
the carrier network (operators edit it), tracking, service levels and the aggregator's push.

Access: operators everything; supplier staff read their own supplier's fulfillment orders and
decisions and enter their waybills (another supplier's: 404); consumers read the tracking of
their own orders; bureau staff read service levels. The aggregator's callback is public and
refused (400) unless signed with the waybill's salt.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask.views import MethodView
from sqlalchemy.orm import selectinload

from fulfillment.models import Warehouse
from fulfillment.routing import actions, board, network, waybills
from fulfillment.routing.adapters import events_from_result, verify_push
from fulfillment.routing.models import (
    Carrier,
    CarrierRate,
    FulfillmentOrder,
    RoutingDecision,
    RoutingRule,
    Shipment,
    TrackingEvent,
)
from fulfillment.routing.schemas import (
    CarrierChoiceSchema,
    CarrierRateSchema,
    CarrierRateUpdateSchema,
    CarrierSchema,
    CarrierUpdateSchema,
    CoverageSchema,
    FulfillmentHoldSchema,
    FulfillmentMoveSchema,
    FulfillmentOrderSchema,
    FulfillmentQuerySchema,
    FulfillmentSplitSchema,
    Kuaidi100AnswerSchema,
    Kuaidi100CallbackSchema,
    RoutingDecisionSchema,
    RoutingRuleSchema,
    RoutingRulesSchema,
    ServiceLevelQuerySchema,
    ServiceLevelSchema,
    ShipmentSchema,
    TrackingEventSchema,
    WarehouseRoutingOutSchema,
    WarehouseRoutingSchema,
    WaybillEntrySchema,
)
from fulfillment.routing.tracking import apply_events
from orders.models import Order
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor
from yipin.api import Blueprint, page_of
from yipin.db import commit, db

blp = Blueprint(
    "routing_api",
    __name__,
    description="Routing, parcels, waybills, tracking and service levels"
    " · 分仓、发货单、运单、物流轨迹与服务时效",
)
STAFF = (Role.OPERATOR, Role.SUPPLIER)
STATE = (409, "Not allowed in the parcel's current status · 包裹当前状态不允许此操作")
MOVE_RULES = (
    "The warehouse keeps the goods' storage class (chilled, frozen) · 目标仓库须能存放该温层商品",
    "The carrier service still covers the destination from there · 承运服务须仍覆盖目的地",
)


def _fo(fo_id: int) -> FulfillmentOrder:
    return actions.fulfillment_order_for(db.session, actor(), fo_id)


@blp.route("/fulfillment-orders")
class FulfillmentOrders(MethodView):
    @blp.arguments(FulfillmentQuerySchema, location="query")
    @blp.response(200, FulfillmentOrderSchema(many=True))
    @blp.paginate()
    @blp.login_required(*STAFF)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """Parcels to send · 发货单列表

        Fulfillment orders, newest first: operators see all, supplier staff their own
        supplier's.

        发货单（最新在前）：运营人员查看全部，供应商员工只看本供应商的。"""
        user = actor()
        stmt = (
            sa.select(FulfillmentOrder)
            .options(selectinload(FulfillmentOrder.lines), selectinload(FulfillmentOrder.shipments))
            .order_by(FulfillmentOrder.id.desc())
        )
        if user.role == Role.SUPPLIER:
            stmt = stmt.where(FulfillmentOrder.supplier_id == user.supplier_id)
        for name in ("status", "warehouse_id", "sub_order_id"):
            if args.get(name) is not None:
                stmt = stmt.where(getattr(FulfillmentOrder, name) == args[name])
        return page_of(stmt, pagination_parameters)


@blp.route("/fulfillment-orders/<int:fo_id>")
class FulfillmentOrderItem(MethodView):
    @blp.response(200, FulfillmentOrderSchema)
    @blp.login_required(*STAFF)
    def get(self, fo_id: int) -> FulfillmentOrder:
        """A parcel · 发货单详情

        One fulfillment order with its lines (stock row, batch) and live waybill.

        一个发货单，含明细（库存行、批次）与当前运单。"""
        return _fo(fo_id)


def _action(fn: Any) -> FulfillmentOrder:
    result = fn()
    commit()
    return result


@blp.route("/fulfillment-orders/<int:fo_id>/hold", methods=["POST"])
@blp.arguments(FulfillmentHoldSchema, example={"reason": "买家要求改地址"})
@blp.errors(STATE)
@blp.response(200, FulfillmentOrderSchema)
@blp.login_required(Role.OPERATOR)
def hold(data: dict[str, Any], fo_id: int) -> FulfillmentOrder:
    """Hold a parcel · 暂停发货

    Stop a parcel before it leaves, with a reason: no booking or packing until released.

    在包裹发出前暂停并说明原因：恢复前不下单、不打包。"""
    return _action(lambda: actions.hold(db.session, actor(), fo_id, data["reason"]))


@blp.route("/fulfillment-orders/<int:fo_id>/release", methods=["POST"])
@blp.errors(STATE)
@blp.response(200, FulfillmentOrderSchema)
@blp.login_required(Role.OPERATOR)
def release(fo_id: int) -> FulfillmentOrder:
    """Release a parcel · 恢复发货

    A held parcel goes back to its queue (and gets its waybill booked).

    已暂停的包裹回到待处理队列（并预约运单）。"""
    return _action(lambda: actions.release(db.session, actor(), fo_id))


@blp.route("/fulfillment-orders/<int:fo_id>/move", methods=["POST"])
@blp.arguments(FulfillmentMoveSchema, example={"warehouse_id": 2})
@blp.errors(STATE)
@blp.rules(*MOVE_RULES)
@blp.response(200, FulfillmentOrderSchema)
@blp.login_required(Role.OPERATOR)
def move(data: dict[str, Any], fo_id: int) -> FulfillmentOrder:
    """Move a parcel to another warehouse · 转仓

    Send the parcel from another warehouse run by its supplier or the platform; the units are
    held there instead and the waybill is booked again.

    改由供应商或平台的另一仓库发货；库存预占随之转移，并重新预约运单。"""
    return _action(lambda: actions.move(db.session, actor(), fo_id, data["warehouse_id"]))


@blp.route("/fulfillment-orders/<int:fo_id>/split", methods=["POST"])
@blp.arguments(FulfillmentSplitSchema, example={"lines": [{"line_id": 1, "quantity": 1}]})
@blp.errors(STATE)
@blp.rules("Some units stay in the parcel · 原包裹须保留部分件数")
@blp.response(201, FulfillmentOrderSchema)
@blp.login_required(Role.OPERATOR)
def split(data: dict[str, Any], fo_id: int) -> FulfillmentOrder:
    """Split a parcel · 拆单

    Take units out into a new parcel from the same warehouse; answers the new parcel.

    从同一仓库拆出部分件数成为新包裹，返回新包裹。"""
    units: dict[int, int] = {}
    for line in data["lines"]:
        units[line["line_id"]] = units.get(line["line_id"], 0) + line["quantity"]
    return _action(lambda: actions.split(db.session, actor(), fo_id, units))


@blp.route("/fulfillment-orders/<int:fo_id>/carrier", methods=["POST"])
@blp.arguments(CarrierChoiceSchema, example={"service_id": 3})
@blp.errors(STATE)
@blp.rules(*MOVE_RULES)
@blp.response(200, FulfillmentOrderSchema)
@blp.login_required(Role.OPERATOR)
def reassign(data: dict[str, Any], fo_id: int) -> FulfillmentOrder:
    """Change a parcel's carrier · 更换承运商

    Send with another carrier service (storage class and coverage are checked again); the old
    waybill is voided and a new one booked.

    改用其他承运服务（重新校验温层与覆盖范围）；原运单作废并重新下单。"""
    return _action(lambda: actions.reassign_carrier(db.session, actor(), fo_id, data["service_id"]))


@blp.route("/fulfillment-orders/<int:fo_id>/waybill", methods=["POST"])
@blp.arguments(WaybillEntrySchema, example={"waybill_number": "SF1234567890123"})
@blp.errors(STATE)
@blp.rules("The number matches the carrier's waybill pattern · 运单号须符合承运商的规则")
@blp.response(200, ShipmentSchema)
@blp.login_required(*STAFF)
def waybill(data: dict[str, Any], fo_id: int) -> Shipment:
    """Enter a waybill number · 录入运单号

    The supplier or an operator enters the number of a manual carrier's waybill; it must match
    the carrier's waybill pattern.

    供应商或运营人员录入人工承运商的运单号，须符合该承运商的运单号规则。"""
    result = waybills.enter_waybill(db.session, actor(), fo_id, data["waybill_number"])
    commit()
    return result


@blp.route("/fulfillment-orders/<int:fo_id>/handover", methods=["POST"])
@blp.errors(STATE)
@blp.response(200, ShipmentSchema)
@blp.login_required(*STAFF)
def handover(fo_id: int) -> Shipment:
    """Hand a parcel over · 交付揽收

    The parcel was handed to the carrier: it is collected and ships.

    包裹已交给承运商揽收，随即发货。"""
    result = waybills.hand_over(db.session, actor(), fo_id)
    commit()
    return result


@blp.route("/sub-orders/<int:sub_order_id>/routing-decisions")
@blp.response(200, RoutingDecisionSchema(many=True))
@blp.login_required(*STAFF)
def decisions(sub_order_id: int) -> list[RoutingDecision]:
    """Routing decisions · 分仓决策

    Every routing decision of a sub-order, with its reasons and the alternatives it rejected.

    子订单的全部分仓决策，含理由与未采用的方案。"""
    user = actor()
    stmt = sa.select(RoutingDecision).where(RoutingDecision.sub_order_id == sub_order_id)
    if user.role == Role.SUPPLIER:
        stmt = stmt.where(RoutingDecision.supplier_id == user.supplier_id)
    found = list(db.session.scalars(stmt.order_by(RoutingDecision.id)))
    if not found:
        abort(404)
    return found


@blp.route("/sub-orders/<int:sub_order_id>/reroute", methods=["POST"])
@blp.errors((409, "The sub-order is not waiting for routing · 子订单不在待分仓状态"))
@blp.response(200, RoutingDecisionSchema)
@blp.login_required(Role.OPERATOR)
def reroute(sub_order_id: int) -> RoutingDecision:
    """Route again · 重新分仓

    Route a sub-order still waiting for routing (after stock arrived or the rules changed).

    对仍待分仓的子订单重新分仓（例如到货或规则调整之后）。"""
    decision = actions.reroute(db.session, actor(), sub_order_id)
    if decision is None:
        abort(409)
    commit()
    return decision


@blp.route("/shipments/<int:shipment_id>/events")
@blp.response(200, TrackingEventSchema(many=True))
@blp.login_required(Role.CONSUMER, Role.SUPPLIER, Role.OPERATOR)
def events(shipment_id: int) -> list[TrackingEvent]:
    """Tracking events · 物流轨迹

    A waybill's tracking events, oldest first (buyers: their own orders' parcels).

    运单的物流轨迹，按时间先后（买家只能查看自己订单的包裹）。"""
    user = actor()
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None:
        abort(404)
    if user.role == Role.SUPPLIER and shipment.supplier_id != user.supplier_id:
        abort(404)
    if user.role == Role.CONSUMER:
        owner = db.session.scalar(sa.select(Order.consumer_id).where(Order.id == shipment.order_id))
        if owner != user.id:
            abort(404)
    return list(shipment.events)


# ----------------------------------------------------------------------------- the network


@blp.route("/carriers")
@blp.response(200, CarrierSchema(many=True))
@blp.login_required(*STAFF)
def carriers() -> list[Carrier]:
    """Carriers · 承运商

    Carriers with their services and waybill-number patterns.

    承运商及其服务与运单号规则。"""
    return list(
        db.session.scalars(
            sa.select(Carrier).options(selectinload(Carrier.services)).order_by(Carrier.id)
        )
    )


@blp.route("/carriers/<int:carrier_id>", methods=["PATCH"])
@blp.arguments(CarrierUpdateSchema, example={"waybill_pattern": "^SF\\d{13}$", "is_active": True})
@blp.rules("The pattern is a valid regular expression · 规则须为有效的正则表达式")
@blp.response(200, CarrierSchema)
@blp.login_required(Role.OPERATOR)
def update_carrier(data: dict[str, Any], carrier_id: int) -> Carrier:
    """Change a carrier · 修改承运商

    Change a carrier's waybill-number pattern, adapter or whether it is used.

    修改承运商的运单号规则、对接方式或是否启用。"""
    if "adapter" in data:
        data["adapter"] = str(data["adapter"])
    carrier = network.update_carrier(db.session, actor(), carrier_id, **data)
    commit()
    return carrier


@blp.route("/carrier-rates")
@blp.response(200, CarrierRateSchema(many=True))
@blp.login_required(Role.OPERATOR)
def rates() -> list[CarrierRate]:
    """Carrier rates · 承运运价

    Every rate row: first and additional weight per zone, surcharges, promised days.

    全部运价：各分区首重与续重、附加费、承诺时效。"""
    return list(db.session.scalars(sa.select(CarrierRate).order_by(CarrierRate.id)))


@blp.route("/carrier-rates/<int:rate_id>", methods=["PATCH"])
@blp.arguments(CarrierRateUpdateSchema, example={"first_fen": 1200, "step_fen": 500})
@blp.response(200, CarrierRateSchema)
@blp.login_required(Role.OPERATOR)
def update_rate(data: dict[str, Any], rate_id: int) -> CarrierRate:
    """Change a rate · 修改运价

    Change a rate row (whole fen, grams); the next routing uses it.

    修改运价（整数分、克），下一次分仓即生效。"""
    rate = network.update_carrier_rate(db.session, actor(), rate_id, data)
    commit()
    return rate


@blp.route("/carrier-coverage", methods=["PUT"])
@blp.arguments(
    CoverageSchema, example={"carrier_id": 2, "region_code": "360734100", "reaches_villages": True}
)
@blp.rules("The region code exists · 区划代码须存在")
@blp.response(204)
@blp.login_required(Role.OPERATOR)
def coverage(data: dict[str, Any]) -> None:
    """Set a carrier's coverage · 设置覆盖范围

    Cover a region down to its villages (true) or to its townships (false), or stop covering
    it (null).

    设置承运商覆盖某区域：到村（true）、到乡镇（false），或取消覆盖（null）。"""
    network.set_coverage(
        db.session, actor(), data["carrier_id"], data["region_code"], data["reaches_villages"]
    )
    commit()


@blp.route("/routing-rules")
class Rules(MethodView):
    @blp.response(200, RoutingRuleSchema(many=True))
    @blp.login_required(Role.OPERATOR)
    def get(self) -> list[RoutingRule]:
        """Routing rules · 分仓规则

        The routing rules in rank order, each on or off.

        按序号排列的分仓规则及其启用状态。"""
        return list(db.session.scalars(sa.select(RoutingRule).order_by(RoutingRule.rank)))

    @blp.arguments(
        RoutingRulesSchema, example={"rules": [{"code": "cost", "rank": 5, "enabled": True}]}
    )
    @blp.response(200, RoutingRuleSchema(many=True))
    @blp.login_required(Role.OPERATOR)
    def put(self, data: dict[str, Any]) -> list[RoutingRule]:
        """Rank routing rules · 调整分仓规则

        Rank rules and switch them on or off; the next routing follows them.

        调整规则的序号与启用状态，下一次分仓即按新规则执行。"""
        items = [{**r, "code": str(r["code"])} for r in data["rules"]]
        result = network.update_rules(db.session, actor(), items)
        commit()
        return result


@blp.route("/warehouses/<int:warehouse_id>/routing", methods=["PATCH"])
@blp.arguments(WarehouseRoutingSchema, example={"daily_capacity": 800, "cutoff_time": "17:00"})
@blp.rules("Only a platform-run county hub consolidates · 只有平台运营的县级中心可设为统仓共配")
@blp.response(200, WarehouseRoutingOutSchema)
@blp.login_required(Role.OPERATOR)
def warehouse_routing(data: dict[str, Any], warehouse_id: int) -> Warehouse:
    """A warehouse's routing settings · 仓库分仓设置

    Daily parcel capacity, cut-off time, who runs it, coordinates, and whether it is a county
    centre consolidating suppliers' parcels.

    每日发货能力、截单时间、运营方、坐标，以及是否为统仓共配的县级中心。"""
    warehouse = network.update_warehouse_routing(db.session, actor(), warehouse_id, data)
    commit()
    return warehouse


@blp.route("/fulfillment/service-levels")
@blp.arguments(ServiceLevelQuerySchema, location="query")
@blp.response(200, ServiceLevelSchema)
@blp.rules(
    "start and end are moments on days between 1900-01-01 and 2199-12-31"
    " · 起止时间须在 1900-01-01 至 2199-12-31 之间",
    "start is before end · 开始时间须早于结束时间",
)
@blp.login_required(Role.OPERATOR, Role.BUREAU)
def service_levels(args: dict[str, Any]) -> dict[str, Any]:
    """Logistics service levels · 物流服务时效

    Parcels out of their county within 24 h, village coverage and average delivery hours
    (bureau staff: their own county).

    村级快件 24 小时出县率、快递进村覆盖率与平均送达时长（商务局只看本辖区）。"""
    start, end = (v if v.tzinfo else v.replace(tzinfo=UTC) for v in (args["start"], args["end"]))
    return board.figures(actor(), start, end, args.get("county_code"))


# ----------------------------------------------------------------------------- the aggregator


@blp.route("/carriers/kuaidi100/callback/<int:shipment_id>", methods=["POST"])
@blp.arguments(Kuaidi100CallbackSchema, location="form")
@blp.response(200, Kuaidi100AnswerSchema)
@blp.public
def kuaidi100_callback(data: dict[str, Any], shipment_id: int) -> dict[str, Any]:
    """Tracking push from the aggregator · 快递100 推送回调

    A 快递100-style push (``param`` and ``sign`` = MD5(param + salt)); refused unless signed with
    this waybill's salt. Repeated pushes change nothing.

    快递100 式推送（``param`` 与 ``sign`` = MD5(param + salt)）；签名与该运单的 salt 不符即拒绝，
    重复推送不产生重复轨迹。"""
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None:
        abort(404)
    body = verify_push(data["param"], data["sign"], shipment.subscription_salt)
    result = body["lastResult"]
    if str(result.get("nu") or "") != (shipment.waybill_number or ""):
        abort(400)
    apply_events(db.session, shipment, events_from_result(result), source="push")
    commit()
    return {"result": True, "returnCode": "200", "message": "成功"}
