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
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from fulfillment.models import Warehouse
from fulfillment.routing import actions, board, network
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
from orders.api.common import AUTH, PUBLIC, errors, page_of
from orders.models import Order
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, role_required
from yipin.db import commit, db

blp = Blueprint(
    "routing_api", __name__, description="Routing (分仓), waybills (运单) and tracking (物流轨迹)"
)
STAFF = (Role.OPERATOR, Role.SUPPLIER)


def _fo(fo_id: int) -> FulfillmentOrder:
    return actions.fulfillment_order_for(db.session, actor(), fo_id)


@blp.route("/fulfillment-orders")
class FulfillmentOrders(MethodView):
    @blp.arguments(FulfillmentQuerySchema, location="query")
    @blp.response(200, FulfillmentOrderSchema(many=True))
    @blp.paginate()
    @errors(blp, *AUTH)
    @role_required(*STAFF)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """Parcels to send (发货单): operators all, supplier staff their own supplier's."""
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
    @errors(blp, *AUTH, 404)
    @role_required(*STAFF)
    def get(self, fo_id: int) -> FulfillmentOrder:
        """One parcel with its lines and waybill."""
        return _fo(fo_id)


def _action(fn: Any) -> FulfillmentOrder:
    result = fn()
    commit()
    return result


@blp.route("/fulfillment-orders/<int:fo_id>/hold", methods=["POST"])
@blp.arguments(FulfillmentHoldSchema)
@blp.response(200, FulfillmentOrderSchema)
@errors(blp, *AUTH, 404, 409, 422)
@role_required(Role.OPERATOR)
def hold(data: dict[str, Any], fo_id: int) -> FulfillmentOrder:
    """Hold a parcel (暂停发货) with a reason."""
    return _action(lambda: actions.hold(db.session, actor(), fo_id, data["reason"]))


@blp.route("/fulfillment-orders/<int:fo_id>/release", methods=["POST"])
@blp.response(200, FulfillmentOrderSchema)
@errors(blp, *AUTH, 404, 409)
@role_required(Role.OPERATOR)
def release(fo_id: int) -> FulfillmentOrder:
    """Release a held parcel."""
    return _action(lambda: actions.release(db.session, actor(), fo_id))


@blp.route("/fulfillment-orders/<int:fo_id>/move", methods=["POST"])
@blp.arguments(FulfillmentMoveSchema)
@blp.response(200, FulfillmentOrderSchema)
@errors(blp, *AUTH, 404, 409, 422)
@role_required(Role.OPERATOR)
def move(data: dict[str, Any], fo_id: int) -> FulfillmentOrder:
    """Send the parcel from another warehouse (the units are held there instead)."""
    return _action(lambda: actions.move(db.session, actor(), fo_id, data["warehouse_id"]))


@blp.route("/fulfillment-orders/<int:fo_id>/split", methods=["POST"])
@blp.arguments(FulfillmentSplitSchema)
@blp.response(201, FulfillmentOrderSchema)
@errors(blp, *AUTH, 404, 409, 422)
@role_required(Role.OPERATOR)
def split(data: dict[str, Any], fo_id: int) -> FulfillmentOrder:
    """Take units out into a new parcel; returns the new one."""
    units: dict[int, int] = {}
    for line in data["lines"]:
        units[line["line_id"]] = units.get(line["line_id"], 0) + line["quantity"]
    return _action(lambda: actions.split(db.session, actor(), fo_id, units))


@blp.route("/fulfillment-orders/<int:fo_id>/carrier", methods=["POST"])
@blp.arguments(CarrierChoiceSchema)
@blp.response(200, FulfillmentOrderSchema)
@errors(blp, *AUTH, 404, 409, 422)
@role_required(Role.OPERATOR)
def reassign(data: dict[str, Any], fo_id: int) -> FulfillmentOrder:
    """Send with another carrier service (the old waybill is voided)."""
    return _action(lambda: actions.reassign_carrier(db.session, actor(), fo_id, data["service_id"]))


@blp.route("/fulfillment-orders/<int:fo_id>/waybill", methods=["POST"])
@blp.arguments(WaybillEntrySchema)
@blp.response(200, ShipmentSchema)
@errors(blp, *AUTH, 404, 409, 422)
@role_required(*STAFF)
def waybill(data: dict[str, Any], fo_id: int) -> Shipment:
    """Enter the waybill number of a manual carrier (checked against its pattern)."""
    result = actions.enter_waybill(db.session, actor(), fo_id, data["waybill_number"])
    commit()
    return result


@blp.route("/fulfillment-orders/<int:fo_id>/handover", methods=["POST"])
@blp.response(200, ShipmentSchema)
@errors(blp, *AUTH, 404, 409)
@role_required(*STAFF)
def handover(fo_id: int) -> Shipment:
    """The parcel was handed to the carrier (揽收): it ships."""
    result = actions.hand_over(db.session, actor(), fo_id)
    commit()
    return result


@blp.route("/sub-orders/<int:sub_order_id>/routing-decisions")
@blp.response(200, RoutingDecisionSchema(many=True))
@errors(blp, *AUTH, 404)
@role_required(*STAFF)
def decisions(sub_order_id: int) -> list[RoutingDecision]:
    """Every routing decision of a sub-order with its reasons and rejected alternatives."""
    user = actor()
    stmt = sa.select(RoutingDecision).where(RoutingDecision.sub_order_id == sub_order_id)
    if user.role == Role.SUPPLIER:
        stmt = stmt.where(RoutingDecision.supplier_id == user.supplier_id)
    found = list(db.session.scalars(stmt.order_by(RoutingDecision.id)))
    if not found:
        abort(404)
    return found


@blp.route("/sub-orders/<int:sub_order_id>/reroute", methods=["POST"])
@blp.response(200, RoutingDecisionSchema)
@errors(blp, *AUTH, 404, 409)
@role_required(Role.OPERATOR)
def reroute(sub_order_id: int) -> RoutingDecision:
    """Route a sub-order that is still waiting (after stock arrived or rules changed)."""
    decision = actions.reroute(db.session, actor(), sub_order_id)
    if decision is None:
        abort(409)
    commit()
    return decision


@blp.route("/shipments/<int:shipment_id>/events")
@blp.response(200, TrackingEventSchema(many=True))
@errors(blp, *AUTH, 404)
@role_required(Role.CONSUMER, Role.SUPPLIER, Role.OPERATOR)
def events(shipment_id: int) -> list[TrackingEvent]:
    """A parcel's tracking events, oldest first (buyers: their own orders' parcels)."""
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
@errors(blp, *AUTH)
@role_required(*STAFF)
def carriers() -> list[Carrier]:
    """Carriers with their services and waybill patterns."""
    return list(
        db.session.scalars(
            sa.select(Carrier).options(selectinload(Carrier.services)).order_by(Carrier.id)
        )
    )


@blp.route("/carriers/<int:carrier_id>", methods=["PATCH"])
@blp.arguments(CarrierUpdateSchema)
@blp.response(200, CarrierSchema)
@errors(blp, *AUTH, 404, 422)
@role_required(Role.OPERATOR)
def update_carrier(data: dict[str, Any], carrier_id: int) -> Carrier:
    """Change a carrier's waybill pattern, adapter or whether it is used."""
    if "adapter" in data:
        data["adapter"] = str(data["adapter"])
    carrier = network.update_carrier(db.session, actor(), carrier_id, **data)
    commit()
    return carrier


@blp.route("/carrier-rates")
@blp.response(200, CarrierRateSchema(many=True))
@errors(blp, *AUTH)
@role_required(Role.OPERATOR)
def rates() -> list[CarrierRate]:
    """Every rate row (首重 + 续重 per zone, surcharges, promised days)."""
    return list(db.session.scalars(sa.select(CarrierRate).order_by(CarrierRate.id)))


@blp.route("/carrier-rates/<int:rate_id>", methods=["PATCH"])
@blp.arguments(CarrierRateUpdateSchema)
@blp.response(200, CarrierRateSchema)
@errors(blp, *AUTH, 404, 422)
@role_required(Role.OPERATOR)
def update_rate(data: dict[str, Any], rate_id: int) -> CarrierRate:
    """Change a rate row; the next routing uses it."""
    rate = network.update_carrier_rate(db.session, actor(), rate_id, data)
    commit()
    return rate


@blp.route("/carrier-coverage", methods=["PUT"])
@blp.arguments(CoverageSchema)
@blp.response(204)
@errors(blp, *AUTH, 404, 422)
@role_required(Role.OPERATOR)
def coverage(data: dict[str, Any]) -> None:
    """Cover a region (to villages or to townships) or stop covering it (null)."""
    network.set_coverage(
        db.session, actor(), data["carrier_id"], data["region_code"], data["reaches_villages"]
    )
    commit()


@blp.route("/routing-rules")
class Rules(MethodView):
    @blp.response(200, RoutingRuleSchema(many=True))
    @errors(blp, *AUTH)
    @role_required(Role.OPERATOR)
    def get(self) -> list[RoutingRule]:
        """The rules in rank order."""
        return list(db.session.scalars(sa.select(RoutingRule).order_by(RoutingRule.rank)))

    @blp.arguments(RoutingRulesSchema)
    @blp.response(200, RoutingRuleSchema(many=True))
    @errors(blp, *AUTH, 422)
    @role_required(Role.OPERATOR)
    def put(self, data: dict[str, Any]) -> list[RoutingRule]:
        """Rank rules and switch them on or off."""
        items = [{**r, "code": str(r["code"])} for r in data["rules"]]
        result = network.update_rules(db.session, actor(), items)
        commit()
        return result


@blp.route("/warehouses/<int:warehouse_id>/routing", methods=["PATCH"])
@blp.arguments(WarehouseRoutingSchema)
@blp.response(200, WarehouseRoutingOutSchema)
@errors(blp, *AUTH, 404, 422)
@role_required(Role.OPERATOR)
def warehouse_routing(data: dict[str, Any], warehouse_id: int) -> Warehouse:
    """A warehouse's capacity, cut-off, operator, coordinates and 统仓共配 flag."""
    warehouse = network.update_warehouse_routing(db.session, actor(), warehouse_id, data)
    commit()
    return warehouse


@blp.route("/fulfillment/service-levels")
@blp.arguments(ServiceLevelQuerySchema, location="query")
@blp.response(200, ServiceLevelSchema)
@errors(blp, *AUTH, 422)
@role_required(Role.OPERATOR, Role.BUREAU)
def service_levels(args: dict[str, Any]) -> dict[str, Any]:
    """24 h out-of-county rate, village coverage and delivery hours (bureau: its scope)."""
    start, end = (v if v.tzinfo else v.replace(tzinfo=UTC) for v in (args["start"], args["end"]))
    return board.figures(actor(), start, end, args.get("county_code"))


# ----------------------------------------------------------------------------- the aggregator


@blp.route("/carriers/kuaidi100/callback/<int:shipment_id>", methods=["POST"])
@blp.arguments(Kuaidi100CallbackSchema, location="form")
@blp.response(200, Kuaidi100AnswerSchema)
@errors(blp, 400, 404)
@blp.doc(security=PUBLIC)
def kuaidi100_callback(data: dict[str, Any], shipment_id: int) -> dict[str, Any]:
    """A 快递100-style push (``param`` + ``sign`` = MD5(param + salt)); refused unless signed
    with this waybill's salt. Repeated pushes change nothing."""
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
