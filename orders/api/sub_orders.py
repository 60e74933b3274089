"""Sub-orders (one supplier's parcel) API: suppliers list and ship their own; buyers cancel,
confirm receipt, ask for returns and file 坏果包赔 claims; operators do all of it and refund."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from orders import after_sales, lifecycle, queries
from orders.api.common import STATE
from orders.claims import store_claim_photos
from orders.errors import AfterSalesInvalid
from orders.models import RefundKind
from orders.refunds import LineRefund, refund_sub_order
from orders.schemas.after_sales import (
    ClaimFormSchema,
    ClaimQuerySchema,
    ClaimSchema,
    DecisionSchema,
    RefundRequestSchema,
    ReturnRequestSchema,
    ReturnSchema,
    ShipSchema,
)
from orders.schemas.orders import (
    ReasonSchema,
    RefundSchema,
    SubOrderQuerySchema,
    SupplierSubOrderSchema,
)
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor
from yipin.api import Blueprint, page_of
from yipin.db import commit, db
from yipin.i18n import _l

blp = Blueprint("sub_orders_api", __name__, description="Sub-orders and after-sales · 子订单与售后")
REFUND_CONFLICT = (
    409,
    "More than is left to refund, or the parcel's status allows no refund"
    " · 超出可退金额，或子订单当前状态不可退款",
)
AFTER_SALES_CLOSED = (
    409,
    "The after-sales window is closed or the status allows it no more · 售后期已过或当前状态不允许",
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
    @blp.login_required(*STAFF)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """Sub-orders · 子订单列表

        A supplier's own sub-orders (where each parcel goes); operators: every supplier's.

        供应商查看本供应商的子订单（含收货地）；运营人员可查看全部供应商的子订单。"""
        return page_of(queries.sub_orders_stmt(actor(), **args), pagination_parameters)


@blp.route("/sub-orders/<int:sub_order_id>")
class SubOrderById(MethodView):
    @blp.response(200, SupplierSubOrderSchema)
    @blp.login_required(*ANYONE)
    def get(self, sub_order_id: int) -> Any:
        """A sub-order · 子订单详情

        One sub-order (its supplier's staff, the buyer, operators).

        一个子订单（其供应商员工、买家和运营人员可查看）。"""
        return _visible(sub_order_id)


@blp.route("/sub-orders/<int:sub_order_id>/cancel")
class CancelSubOrder(MethodView):
    @blp.arguments(ReasonSchema, example={"reason": "缺货"})
    @blp.response(200, SupplierSubOrderSchema)
    @blp.errors((409, "The parcel has shipped or is cancelled already · 子订单已发货或已取消"))
    @blp.login_required(*ANYONE)
    def post(self, data: dict[str, Any], sub_order_id: int) -> Any:
        """Cancel a sub-order · 取消子订单

        Cancel before shipment (the buyer; the supplier, e.g. out of stock; operators): the
        stock is freed and the parcel refunded in full through the paying method.

        发货前取消（买家、供应商如缺货、运营人员）：释放库存，并按原支付方式全额退款。"""
        _visible(sub_order_id)
        after_sales.cancel_sub_order(db.session, actor(), sub_order_id, data["reason"])
        commit()
        return _visible(sub_order_id)


@blp.route("/sub-orders/<int:sub_order_id>/shipment")
class ShipSubOrder(MethodView):
    @blp.arguments(
        ShipSchema,
        example={
            "carrier_name": "顺丰速运",
            "waybill_number": "SF1234567890",
            "batches": [{"line_id": 1, "batch_id": 1}],
        },
    )
    @blp.response(200, SupplierSubOrderSchema)
    @blp.errors((409, "The parcel is not ready to ship · 子订单当前不可发货"))
    @blp.rules(
        "Each batch is of the line's variant and its supplier's · 批次须属于该行的规格及本供应商"
    )
    @blp.login_required(*STAFF)
    def post(self, data: dict[str, Any], sub_order_id: int) -> Any:
        """Ship a sub-order · 子订单发货

        Handed to the carrier (manual waybill entry until routing books waybills): the batch
        each line ships from, the carrier and the waybill number.

        交给快递（在自动分单上线前手工填写运单）：每行出库的批次、快递公司和运单号。"""
        _visible(sub_order_id)
        batches = {x["line_id"]: x["batch_id"] for x in data["batches"]}
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
    @blp.errors((409, "The parcel has not shipped · 子订单尚未发货"))
    @blp.login_required(Role.OPERATOR)
    def post(self, sub_order_id: int) -> Any:
        """Mark delivered · 标记已送达

        Operators: the carrier reports it delivered (a cash-on-delivery parcel is paid now).

        运营人员：快递报告已送达（货到付款的子订单此时收款）。"""
        _visible(sub_order_id)
        lifecycle.mark_delivered(db.session, actor(), sub_order_id)
        commit()
        return _visible(sub_order_id)


@blp.route("/sub-orders/<int:sub_order_id>/receipt")
class ConfirmReceipt(MethodView):
    @blp.response(200, SupplierSubOrderSchema)
    @blp.errors((409, "The parcel has not been delivered · 子订单尚未送达"))
    @blp.login_required(Role.CONSUMER, Role.OPERATOR)
    def post(self, sub_order_id: int) -> Any:
        """Confirm receipt · 确认收货

        The buyer confirms receipt: the sub-order is completed.

        买家确认收货，子订单即完成。"""
        _visible(sub_order_id)
        lifecycle.complete(db.session, actor(), sub_order_id)
        commit()
        return _visible(sub_order_id)


@blp.route("/sub-orders/<int:sub_order_id>/refunds")
class SubOrderRefunds(MethodView):
    @blp.arguments(RefundRequestSchema, example={"amount_fen": 1000, "reason": "部分果子损坏"})
    @blp.response(201, RefundSchema)
    @blp.errors(REFUND_CONFLICT)
    @blp.rules(
        "An amount or lines, not both; each line is of this sub-order"
        " · 金额与明细只能二选一；明细须属于本子订单"
    )
    @blp.login_required(*STAFF)
    def post(self, data: dict[str, Any], sub_order_id: int) -> Any:
        """Refund a sub-order · 子订单退款

        Refund part or all of a parcel through the method that paid: ``amount_fen`` (split
        over the lines), or ``lines`` + ``shipping_fen``; neither: everything that is left.

        按原支付方式退还子订单的部分或全部款项：``amount_fen``（按明细分摊），或 ``lines`` 加
        ``shipping_fen``；都不填则退还剩余全部。"""
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
    @blp.login_required(*ANYONE)
    def get(self, sub_order_id: int) -> list[Any]:
        """Return requests · 退货申请

        The return requests of a sub-order.

        子订单的退货申请。"""
        _visible(sub_order_id)
        return list(db.session.scalars(queries.returns_stmt(actor(), sub_order_id)))

    @blp.arguments(
        ReturnRequestSchema,
        example={
            "reason_kind": "quality",
            "reason": "果子发霉",
            "lines": [{"line_id": 1, "quantity": 1}],
        },
    )
    @blp.response(201, ReturnSchema)
    @blp.errors(AFTER_SALES_CLOSED)
    @blp.rules(
        "Each line is of this sub-order, at most the units not yet returned; no-reason returns"
        " only where the category allows them · 明细须属于本子订单且不超过未退数量；"
        "无理由退货须类目允许"
    )
    @blp.login_required(Role.CONSUMER)
    def post(self, data: dict[str, Any], sub_order_id: int) -> Any:
        """Ask for a return · 申请退货

        The buyer asks to return units after delivery (7-day no-reason unless the category
        is exempt — fresh produce — and its supplier has not opted in; or quality).

        买家在收货后申请退货（七天无理由退货，生鲜类目除外，除非供应商选择支持；或质量问题）。"""
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
    @blp.arguments(ClaimFormSchema, location="multipart")
    @blp.response(201, ClaimSchema)
    @blp.errors(AFTER_SALES_CLOSED, 413)
    @blp.rules(
        "The line is of this sub-order; the photos are JPEG, PNG or WebP images"
        " · 明细须属于本子订单；照片须为 JPEG、PNG 或 WebP 图片"
    )
    @blp.login_required(Role.CONSUMER)
    def post(self, form: dict[str, Any], sub_order_id: int) -> Any:
        """File a claim · 坏果包赔申请

        坏果包赔: bad units of a line on arrival, with 1–6 photos (multipart ``photos``), within
        the category's hours after delivery.

        坏果包赔：收货后在类目规定的时限内申报某行的坏果数量，附 1–6 张照片（multipart 的
        ``photos`` 字段）。"""
        sub = _visible(sub_order_id)
        user = actor()
        image_ids = store_claim_photos(db.session, user, sub, form["photos"])
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
    @blp.login_required(*ANYONE)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """Claims · 坏果包赔列表

        Claims: a supplier's own, a buyer's own, every one (operators).

        坏果包赔申请：供应商看本供应商的，买家看自己的，运营人员看全部。"""
        return page_of(queries.claims_stmt(actor(), args.get("status")), pagination_parameters)


@blp.route("/claims/<int:claim_id>/decision")
class ClaimDecision(MethodView):
    @blp.arguments(DecisionSchema, example={"approve": True, "amount_fen": 800, "note": "同意"})
    @blp.response(200, ClaimSchema)
    @blp.errors(STATE)
    @blp.rules(
        "An approved amount is at most the amount claimed · 批准金额不超过申请金额",
    )
    @blp.login_required(*STAFF)
    def post(self, data: dict[str, Any], claim_id: int) -> Any:
        """Decide a claim · 处理坏果包赔

        The supplier or an operator approves (all or part: a partial refund) or rejects.

        供应商或运营人员批准（全部或部分，部分退款）或驳回。"""
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
    @blp.arguments(DecisionSchema, example={"approve": True, "note": "请寄回"})
    @blp.response(200, ReturnSchema)
    @blp.errors(STATE)
    @blp.login_required(*STAFF)
    def post(self, data: dict[str, Any], return_id: int) -> Any:
        """Decide a return · 处理退货申请

        The supplier or an operator approves (the buyer sends it back) or rejects.

        供应商或运营人员批准（买家寄回商品）或驳回。"""
        queries.return_for(db.session, actor(), return_id)
        request_ = after_sales.decide_return(
            db.session, actor(), return_id, data["approve"], data["note"]
        )
        commit()
        return request_


@blp.route("/returns/<int:return_id>/receipt")
class ReturnReceived(MethodView):
    @blp.response(200, ReturnSchema)
    @blp.errors(STATE)
    @blp.login_required(*STAFF)
    def post(self, return_id: int) -> Any:
        """Return received · 确认收到退货

        The goods are back: the returned units are refunded.

        退货已收到，退还相应款项。"""
        queries.return_for(db.session, actor(), return_id)
        request_ = after_sales.receive_return(db.session, actor(), return_id)
        commit()
        return request_
