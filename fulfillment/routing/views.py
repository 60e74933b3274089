"""Pages of routing: the operators' fulfillment board (``/console/fulfillment``) with each
parcel's decision, reasons and actions, the carrier network; the supplier's parcels
(``/supplier/fulfillment``) with waybill entry, hand-over, pick list and packing slip PDFs; the
consumer's tracking timeline (a template global the order page includes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request, url_for
from sqlalchemy.orm import selectinload

from fulfillment.models import Warehouse
from fulfillment.routing import actions, board, documents, network, waybills
from fulfillment.routing.messages import rule_label, word
from fulfillment.routing.models import (
    FULFILLMENT_STATUS_LABELS,
    SERVICE_KIND_LABELS,
    SHIPMENT_STATUS_LABELS,
    SLA_LABELS,
    TRACKING_STATUS_LABELS,
    ZONE_LABELS,
    Carrier,
    CarrierRate,
    CarrierService,
    FulfillmentOrder,
    FulfillmentStatus,
    RoutingRule,
)
from yipin.accounts.forms import EmptyForm
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, role_required
from yipin.db import db
from yipin.i18n import _
from yipin.views import run_action

console_bp = Blueprint(
    "console_fulfillment", __name__, url_prefix="/console/fulfillment", template_folder="templates"
)
supplier_bp = Blueprint(
    "supplier_fulfillment",
    __name__,
    url_prefix="/supplier/fulfillment",
    template_folder="templates",
)

LABELS = {
    "fulfillment_status": FULFILLMENT_STATUS_LABELS,
    "shipment_status": SHIPMENT_STATUS_LABELS,
    "tracking_status": TRACKING_STATUS_LABELS,
    "sla": SLA_LABELS,
    "zone": ZONE_LABELS,
    "service_kind": SERVICE_KIND_LABELS,
}


def label(kind: str, value: Any) -> str:
    table = LABELS[kind]
    for key, text in table.items():
        if str(key) == str(value):
            return str(text)
    return str(value)


for bp in (console_bp, supplier_bp):
    bp.add_app_template_global(label, "routing_label")
    bp.add_app_template_global(word, "routing_word")
    bp.add_app_template_global(rule_label, "routing_rule_label")


def tracking_timeline(sub_order_id: int) -> list[dict[str, Any]]:
    """The parcels of a sub-order with their events, for the consumer's order page."""
    return board.timeline(db.session, sub_order_id)


def tracking_timelines(order_id: int) -> dict[int, list[dict[str, Any]]]:
    """Each sub-order's parcels and events of an order (the consumer's order page)."""
    return board.timelines_for_order(db.session, order_id)


def _int(name: str) -> int | None:
    raw = (request.form.get(name) or request.args.get(name) or "").strip()
    if not raw.isdigit() or len(raw) > 9:
        return None
    return int(raw)


def _csrf() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


# ----------------------------------------------------------------------------- console


@console_bp.get("/")
@role_required(Role.OPERATOR)
def board_page() -> Any:
    raw = request.args.get("status", "")
    status = FulfillmentStatus(raw) if raw in {s.value for s in FulfillmentStatus} else None
    return render_template(
        "routing/board.html",
        section="fulfillment",
        queues=board.queues(db.session, status),
        exceptions=board.exceptions(db.session),
        counties=board.counties(db.session),
        statuses=list(FulfillmentStatus),
        form=EmptyForm(),
    )


def _detail_context(fo: FulfillmentOrder) -> dict[str, Any]:
    warehouses = list(
        db.session.scalars(
            sa.select(Warehouse)
            .where(
                Warehouse.is_active.is_(True),
                sa.or_(Warehouse.supplier_id.is_(None), Warehouse.supplier_id == fo.supplier_id),
                Warehouse.id != fo.warehouse_id,
            )
            .order_by(Warehouse.code)
        )
    )
    services = list(
        db.session.scalars(
            sa.select(CarrierService)
            .where(CarrierService.is_active.is_(True))
            .order_by(CarrierService.id)
        )
    )
    return {
        "fo": fo,
        "decisions": board.decisions_of(db.session, fo.sub_order_id),
        "siblings": list(
            db.session.scalars(
                sa.select(FulfillmentOrder)
                .where(FulfillmentOrder.sub_order_id == fo.sub_order_id)
                .order_by(FulfillmentOrder.id)
            )
        ),
        "warehouses": warehouses,
        "services": services,
        "timeline": board.timeline(db.session, fo.sub_order_id),
        "form": EmptyForm(),
    }


@console_bp.get("/<int:fo_id>")
@role_required(Role.OPERATOR)
def detail(fo_id: int) -> Any:
    fo = actions.fulfillment_order_for(db.session, actor(), fo_id)
    return render_template("routing/detail.html", section="fulfillment", **_detail_context(fo))


@console_bp.post("/<int:fo_id>/<string:verb>")
@role_required(Role.OPERATOR)
def act(fo_id: int, verb: str) -> Any:
    _csrf()
    user = actor()
    actions.fulfillment_order_for(db.session, user, fo_id)  # a missing parcel: 404
    target = url_for("console_fulfillment.detail", fo_id=fo_id)
    verbs: dict[str, tuple[Callable[[], Any], str]] = {
        "hold": (
            lambda: actions.hold(db.session, user, fo_id, request.form.get("reason", "")),
            _("The parcel is on hold."),
        ),
        "release": (lambda: actions.release(db.session, user, fo_id), _("The parcel is released.")),
        "move": (
            lambda: actions.move(db.session, user, fo_id, _int("warehouse_id") or 0),
            _("The parcel will leave from the other warehouse."),
        ),
        "carrier": (
            lambda: actions.reassign_carrier(db.session, user, fo_id, _int("service_id") or 0),
            _("The parcel goes with the other carrier."),
        ),
        "split": (lambda: _split(fo_id), _("The parcel was split.")),
        "waybill": (
            lambda: waybills.enter_waybill(
                db.session, user, fo_id, request.form.get("waybill_number", "")
            ),
            _("Waybill number recorded."),
        ),
        "handover": (
            lambda: waybills.hand_over(db.session, user, fo_id),
            _("Handed over to the carrier."),
        ),
    }
    if verb not in verbs:
        abort(404)
    fn, done = verbs[verb]
    return run_action(fn, done=done, to=target)


def _split(fo_id: int) -> Any:
    units = {}
    for key, value in request.form.items():
        if key.startswith("line_") and value.strip().isdigit() and int(value) > 0:
            line_id = key[5:]
            if line_id.isdigit() and len(value) < 6:
                units[int(line_id)] = int(value)
    return actions.split(db.session, actor(), fo_id, units)


@console_bp.post("/sub-orders/<int:sub_order_id>/reroute")
@role_required(Role.OPERATOR)
def reroute(sub_order_id: int) -> Any:
    _csrf()
    return run_action(
        lambda: actions.reroute(db.session, actor(), sub_order_id),
        done=_("Routing ran again."),
        to=url_for("console_fulfillment.board_page"),
    )


@console_bp.get("/network")
@role_required(Role.OPERATOR)
def network_page() -> Any:
    carriers = list(
        db.session.scalars(
            sa.select(Carrier).options(selectinload(Carrier.services)).order_by(Carrier.id)
        )
    )
    rates = list(
        db.session.scalars(sa.select(CarrierRate).order_by(CarrierRate.service_id, CarrierRate.id))
    )
    rules = list(db.session.scalars(sa.select(RoutingRule).order_by(RoutingRule.rank)))
    return render_template(
        "routing/network.html",
        section="fulfillment",
        carriers=carriers,
        rates=rates,
        rules=rules,
        form=EmptyForm(),
    )


@console_bp.post("/network/rules")
@role_required(Role.OPERATOR)
def save_rules() -> Any:
    _csrf()
    items = []
    for rule in db.session.scalars(sa.select(RoutingRule)):
        rank = _int(f"rank_{rule.code}")
        items.append(
            {
                "code": str(rule.code),
                "rank": rank if rank is not None else rule.rank,
                "enabled": request.form.get(f"enabled_{rule.code}") == "on",
            }
        )
    return run_action(
        lambda: network.update_rules(db.session, actor(), items),
        done=_("Routing rules saved."),
        to=url_for("console_fulfillment.network_page"),
    )


@console_bp.post("/network/rates/<int:rate_id>")
@role_required(Role.OPERATOR)
def save_rate(rate_id: int) -> Any:
    _csrf()
    changes = {}
    for name in network.RATE_FIELDS:
        value = _int(name)
        if value is not None:
            changes[name] = value
    return run_action(
        lambda: network.update_carrier_rate(db.session, actor(), rate_id, changes),
        done=_("Rate saved."),
        to=url_for("console_fulfillment.network_page") + f"#rate-{rate_id}",
    )


@console_bp.post("/network/carriers/<int:carrier_id>")
@role_required(Role.OPERATOR)
def save_carrier(carrier_id: int) -> Any:
    _csrf()
    return run_action(
        lambda: network.update_carrier(
            db.session,
            actor(),
            carrier_id,
            waybill_pattern=request.form.get("waybill_pattern") or None,
            is_active=request.form.get("is_active") == "on",
        ),
        done=_("Carrier saved."),
        to=url_for("console_fulfillment.network_page"),
    )


@console_bp.post("/network/coverage")
@role_required(Role.OPERATOR)
def save_coverage() -> Any:
    _csrf()
    mode = request.form.get("reaches", "")
    reaches = {"villages": True, "townships": False}.get(mode)
    return run_action(
        lambda: network.set_coverage(
            db.session,
            actor(),
            _int("carrier_id") or 0,
            request.form.get("region_code", "")[:12],
            reaches,
        ),
        done=_("Coverage saved."),
        to=url_for("console_fulfillment.network_page"),
    )


# ----------------------------------------------------------------------------- supplier


@supplier_bp.get("/")
@role_required(Role.SUPPLIER)
def parcels() -> Any:
    user = actor()
    fos = list(
        db.session.scalars(
            sa.select(FulfillmentOrder)
            .where(FulfillmentOrder.supplier_id == user.supplier_id)
            .options(selectinload(FulfillmentOrder.shipments))
            .order_by(FulfillmentOrder.id.desc())
            .limit(100)
        )
    )
    return render_template("routing/supplier_list.html", section="fulfillment", fos=fos)


@supplier_bp.get("/<int:fo_id>")
@role_required(Role.SUPPLIER)
def supplier_detail(fo_id: int) -> Any:
    fo = actions.fulfillment_order_for(db.session, actor(), fo_id)
    return render_template(
        "routing/supplier_detail.html",
        section="fulfillment",
        fo=fo,
        timeline=board.timeline(db.session, fo.sub_order_id),
        form=EmptyForm(),
    )


@supplier_bp.post("/<int:fo_id>/<string:verb>")
@role_required(Role.SUPPLIER)
def supplier_act(fo_id: int, verb: str) -> Any:
    _csrf()
    user = actor()
    actions.fulfillment_order_for(db.session, user, fo_id)  # another supplier's: 404
    target = url_for("supplier_fulfillment.supplier_detail", fo_id=fo_id)
    if verb == "waybill":
        return run_action(
            lambda: waybills.enter_waybill(
                db.session, user, fo_id, request.form.get("waybill_number", "")
            ),
            done=_("Waybill number recorded."),
            to=target,
        )
    if verb == "handover":
        return run_action(
            lambda: waybills.hand_over(db.session, user, fo_id),
            done=_("Handed over to the carrier."),
            to=target,
        )
    abort(404)


@supplier_bp.get("/<int:fo_id>/pick-list.pdf")
@console_bp.get("/<int:fo_id>/pick-list.pdf")
@role_required(Role.SUPPLIER, Role.OPERATOR)
def pick_list(fo_id: int) -> Response:
    fo = actions.fulfillment_order_for(db.session, actor(), fo_id)
    pdf = documents.pick_list_pdf(documents.facts_of(db.session, fo))
    return _pdf(pdf, f"pick-list-{fo.number}.pdf")


@supplier_bp.get("/<int:fo_id>/packing-slip.pdf")
@console_bp.get("/<int:fo_id>/packing-slip.pdf")
@role_required(Role.SUPPLIER, Role.OPERATOR)
def packing_slip(fo_id: int) -> Response:
    fo = actions.fulfillment_order_for(db.session, actor(), fo_id)
    pdf = documents.packing_slip_pdf(documents.facts_of(db.session, fo))
    return _pdf(pdf, f"packing-slip-{fo.number}.pdf")


def _pdf(body: bytes, name: str) -> Response:
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
