"""Sub-orders (one supplier's parcel) API: suppliers list and ship their own; buyers cancel,
confirm receipt, ask for returns and file 坏果包赔 claims; operators do all of it and refund."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from orders import after_sales, lifecycle, queries
from orders.api.common import AUTH, errors, page_of
from orders.claims import store_claim_photos
from orders.errors import AfterSalesInvalid
from orders.models import RefundKind
from orders.refunds import LineRefund, refund_sub_order
from orders.schemas import (
    ClaimFormSchema,
    ClaimPhotosSchema,
    ClaimQuerySchema,
    ClaimSchema,
    DecisionSchema,
    ReasonSchema,
    RefundRequestSchema,
    RefundSchema,
    ReturnRequestSchema,
    ReturnSchema,
    ShipSchema,
    SubOrderQuerySchema,
    SupplierSubOrderSchema,
)
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, role_required
from yipin.db import commit, db
from yipin.i18n import _l

blp = Blueprint(
    "sub_orders_api", __name__, description="Sub-orders (子订单) and after-sales (售后)"
)
STAFF = (Role.SUPPLIER, Role.OPERATOR)
ANYONE = (Role.CONSUMER, Role.SUPPLIER, Role.OPERATOR)


def _visible(sub_order_id: int) -> Any:
    return queries.sub_order_for(db.session, actor(), sub_order_id)


@blp.route("/sub-orders")
class SubOrders(MethodView):
    @blp.arguments(SubOrderQuerySchema, location="query")
    @blp.response(200, SupplierSubOrderSchema(many=True))
    @blp.paginate()
    @errors(blp, *AUTH)
    @role_required(*STAFF)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """A supplier's own sub-orders (where each parcel goes); operators: every supplier's."""
        return page_of(queries.sub_orders_stmt(actor(), **args), pagination_parameters)


@blp.route("/sub-orders/<int:sub_order_id>")
class SubOrderById(MethodView):
    @blp.response(200, SupplierSubOrderSchema)
    @errors(blp, *AUTH, 404)
    @role_required(*ANYONE)
    def get(self, sub_order_id: int) -> Any:
        """One sub-order (its supplier's staff, the buyer, operators)."""
        return _visible(sub_order_id)


@blp.route("/sub-orders/<int:sub_order_id>/cancel")
class CancelSubOrder(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, SupplierSubOrderSchema)
    @errors(blp, *AUTH, 404, 409, 422)
    @role_required(*ANYONE)
    def post(self, data: dict[str, Any], sub_order_id: int) -> Any:
        """Cancel before shipment (the buyer; the supplier, e.g. out of stock; operators): the
        stock is freed and the parcel refunded in full through the paying method."""
        _visible(sub_order_id)
        after_sales.cancel_sub_order(db.session, actor(), sub_order_id, data["reason"])
        commit()
        return _visible(sub_order_id)


@blp.route("/sub-orders/<int:sub_order_id>/shipment")
class ShipSubOrder(MethodView):
    @blp.arguments(ShipSchema)
    @blp.response(200, SupplierSubOrderSchema)
    @errors(blp, *AUTH, 404, 409, 422)
    @role_required(*STAFF)
    def post(self, data: dict[str, Any], sub_order_id: int) -> Any:
        """Handed to the carrier (manual waybill entry until routing books waybills): the batch
        each line ships from, the carrier and the waybill number."""
        _visible(sub_order_id)
        batches = {int(k): v for k, v in data["batches"].items()}
        lifecycle.mark_shipped(
            db.session,
            actor(),
            sub_order_id,
            carrier_name=data["carrier_name"],
            waybill_number=data["waybill_number"],
            batches=batches,
        )
        commit()
        return _visible(sub_order_id)


@blp.route("/sub-orders/<int:sub_order_id>/delivery")
class DeliverSubOrder(MethodView):
    @blp.response(200, SupplierSubOrderSchema)
    @errors(blp, *AUTH, 404, 409)
    @role_required(Role.OPERATOR)
    def post(self, sub_order_id: int) -> Any:
        """Operators: the carrier reports it delivered (a cash-on-delivery parcel is paid now)."""
        _visible(sub_order_id)
        lifecycle.mark_delivered(db.session, actor(), sub_order_id)
        commit()
        return _visible(sub_order_id)


@blp.route("/sub-orders/<int:sub_order_id>/receipt")
class ConfirmReceipt(MethodView):
    @blp.response(200, SupplierSubOrderSchema)
    @errors(blp, *AUTH, 404, 409)
    @role_required(Role.CONSUMER, Role.OPERATOR)
    def post(self, sub_order_id: int) -> Any:
        """The buyer confirms receipt (确认收货): the sub-order is completed."""
        _visible(sub_order_id)
        lifecycle.complete(db.session, actor(), sub_order_id)
        commit()
        return _visible(sub_order_id)


@blp.route("/sub-orders/<int:sub_order_id>/refunds")
class SubOrderRefunds(MethodView):
    @blp.arguments(RefundRequestSchema)
    @blp.response(201, RefundSchema)
    @errors(blp, *AUTH, 404, 409, 422)
    @role_required(*STAFF)
    def post(self, data: dict[str, Any], sub_order_id: int) -> Any:
        """Refund part or all of a parcel through the method that paid: ``amount_fen`` (split
        over the lines), or ``lines`` + ``shipping_fen``; neither: everything that is left."""
        _visible(sub_order_id)
        lines = data.get("lines")
        if lines is not None and data.get("amount_fen") is not None:
            raise AfterSalesInvalid(_l("Give an amount or lines, not both."), field="lines")
        explicit = (
            [LineRefund(x["line_id"], x["amount_fen"], x["quantity"]) for x in lines]
            if lines is not None
            else None
        )
        refund = refund_sub_order(
            db.session,
            actor(),
            sub_order_id,
            kind=RefundKind.PARTIAL if (explicit or data.get("amount_fen")) else RefundKind.FULL,
            reason=data["reason"],
            amount_fen=data.get("amount_fen"),
            lines=explicit,
            shipping_fen=data["shipping_fen"],
        )
        commit()
        return refund


@blp.route("/sub-orders/<int:sub_order_id>/returns")
class SubOrderReturns(MethodView):
    @blp.response(200, ReturnSchema(many=True))
    @errors(blp, *AUTH, 404)
    @role_required(*ANYONE)
    def get(self, sub_order_id: int) -> list[Any]:
        """Return requests of a sub-order."""
        _visible(sub_order_id)
        return list(db.session.scalars(queries.returns_stmt(actor(), sub_order_id)))

    @blp.arguments(ReturnRequestSchema)
    @blp.response(201, ReturnSchema)
    @errors(blp, *AUTH, 404, 409, 422)
    @role_required(Role.CONSUMER)
    def post(self, data: dict[str, Any], sub_order_id: int) -> Any:
        """The buyer asks to return units after delivery (7-day no-reason unless the category
        is exempt — fresh produce — and its supplier has not opted in; or quality)."""
        _visible(sub_order_id)
        request_ = after_sales.request_return(
            db.session,
            actor(),
            sub_order_id,
            data["reason_kind"],
            [(x["line_id"], x["quantity"]) for x in data["lines"]],
            data["reason"],
        )
        commit()
        return request_


@blp.route("/sub-orders/<int:sub_order_id>/claims")
class SubOrderClaims(MethodView):
    @blp.arguments(ClaimPhotosSchema, location="files")
    @blp.arguments(ClaimFormSchema, location="form")
    @blp.response(201, ClaimSchema)
    @errors(blp, *AUTH, 404, 409, 413, 422)
    @role_required(Role.CONSUMER)
    def post(self, files: dict[str, Any], form: dict[str, Any], sub_order_id: int) -> Any:
        """坏果包赔: bad units of a line on arrival, with 1–6 photos (multipart ``photos``)."""
        sub = _visible(sub_order_id)
        user = actor()
        image_ids = store_claim_photos(db.session, user, sub, request.files.getlist("photos"))
        claim = after_sales.file_claim(
            db.session,
            user,
            sub_order_id,
            form["line_id"],
            bad_units=form["bad_units"],
            requested_fen=form["requested_fen"],
            description=form["description"],
            image_ids=image_ids,
        )
        commit()
        return claim


@blp.route("/claims")
class Claims(MethodView):
    @blp.arguments(ClaimQuerySchema, location="query")
    @blp.response(200, ClaimSchema(many=True))
    @blp.paginate()
    @errors(blp, *AUTH)
    @role_required(*ANYONE)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """Claims: a supplier's own, a buyer's own, every one (operators)."""
        return page_of(queries.claims_stmt(actor(), args.get("status")), pagination_parameters)


@blp.route("/claims/<int:claim_id>/decision")
class ClaimDecision(MethodView):
    @blp.arguments(DecisionSchema)
    @blp.response(200, ClaimSchema)
    @errors(blp, *AUTH, 404, 409, 422)
    @role_required(*STAFF)
    def post(self, data: dict[str, Any], claim_id: int) -> Any:
        """The supplier or an operator approves (all or part: a partial refund) or rejects."""
        queries.claim_for(db.session, actor(), claim_id)
        claim = after_sales.decide_claim(
            db.session,
            actor(),
            claim_id,
            approve=data["approve"],
            amount_fen=data.get("amount_fen"),
            note=data["note"],
        )
        commit()
        return claim


@blp.route("/returns/<int:return_id>/decision")
class ReturnDecision(MethodView):
    @blp.arguments(DecisionSchema)
    @blp.response(200, ReturnSchema)
    @errors(blp, *AUTH, 404, 409, 422)
    @role_required(*STAFF)
    def post(self, data: dict[str, Any], return_id: int) -> Any:
        """The supplier or an operator approves (the buyer sends it back) or rejects."""
        queries.return_for(db.session, actor(), return_id)
        request_ = after_sales.decide_return(
            db.session, actor(), return_id, data["approve"], data["note"]
        )
        commit()
        return request_


@blp.route("/returns/<int:return_id>/receipt")
class ReturnReceived(MethodView):
    @blp.response(200, ReturnSchema)
    @errors(blp, *AUTH, 404, 409, 422)
    @role_required(*STAFF)
    def post(self, return_id: int) -> Any:
        """The goods are back: the returned units are refunded."""
        queries.return_for(db.session, actor(), return_id)
        request_ = after_sales.receive_return(db.session, actor(), return_id)
        commit()
        return request_
