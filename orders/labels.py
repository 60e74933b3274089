"""Display labels of the order side's enums (one table per enum, translated once; pages,
exports and the API descriptions use them)."""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

from orders.models import (
    BuyerType,
    BuyerTypeBasis,
    ClaimStatus,
    PaymentMethod,
    PaymentStatus,
    RefundKind,
    RefundStatus,
    ReturnReason,
    ReturnStatus,
)
from orders.status import STATUS_LABELS, OrderStatus
from yipin.i18n import _l

E = TypeVar("E", bound=Enum)

BUYER_TYPE_LABELS: dict[BuyerType, Any] = {
    BuyerType.INDIVIDUAL: _l("Individual"),
    BuyerType.PRIVATE_ENTERPRISE: _l("Private enterprise"),
    BuyerType.GOVERNMENT_OR_INSTITUTION: _l("Government body or public institution"),
    BuyerType.STATE_OWNED: _l("State-owned enterprise"),
    BuyerType.BUDGET_UNIT: _l("Budget unit (government procurement)"),
}
BASIS_LABELS: dict[BuyerTypeBasis, Any] = {
    BuyerTypeBasis.NONE: _l("no invoice organisation"),
    BuyerTypeBasis.USCC: _l("from the credit code"),
    BuyerTypeBasis.STATE_OWNED_LIST: _l("on the state-owned list"),
    BuyerTypeBasis.DECLARATION: _l("declared by the buyer"),
    BuyerTypeBasis.PROCUREMENT: _l("government procurement number"),
}
METHOD_LABELS: dict[PaymentMethod, Any] = {
    PaymentMethod.CARD: _l("Bank card"),
    PaymentMethod.ALIPAY: _l("Alipay"),
    PaymentMethod.WECHAT_PAY: _l("WeChat Pay"),
    PaymentMethod.BANK_TRANSFER: _l("Bank transfer"),
    PaymentMethod.COD: _l("Cash on delivery"),
}
PAYMENT_STATUS_LABELS: dict[PaymentStatus, Any] = {
    PaymentStatus.CREATING: _l("Opening"),
    PaymentStatus.PENDING: _l("Waiting for payment"),
    PaymentStatus.PROCESSING: _l("Being confirmed"),
    PaymentStatus.SUCCEEDED: _l("Paid"),
    PaymentStatus.FAILED: _l("Failed, try again"),
    PaymentStatus.CANCELLED: _l("Void"),
}
REFUND_KIND_LABELS: dict[RefundKind, Any] = {
    RefundKind.CANCELLATION: _l("Cancelled before shipment"),
    RefundKind.PARTIAL: _l("Partial refund"),
    RefundKind.FULL: _l("Full refund"),
    RefundKind.RETURN: _l("Return"),
    RefundKind.CLAIM: _l("Bad fruit compensation"),
    RefundKind.LATE_PAYMENT: _l("Paid after cancellation"),
    RefundKind.DUPLICATE: _l("Duplicate payment"),
    RefundKind.CHARGEBACK: _l("Dispute lost"),
}
REFUND_STATUS_LABELS: dict[RefundStatus, Any] = {
    RefundStatus.PENDING: _l("In progress"),
    RefundStatus.SUCCEEDED: _l("Refunded"),
    RefundStatus.FAILED: _l("Failed"),
}
RETURN_REASON_LABELS: dict[ReturnReason, Any] = {
    ReturnReason.NO_REASON: _l("7-day no-reason return"),
    ReturnReason.QUALITY: _l("Quality problem"),
    ReturnReason.WRONG_ITEM: _l("Wrong item sent"),
}
RETURN_STATUS_LABELS: dict[ReturnStatus, Any] = {
    ReturnStatus.REQUESTED: _l("Waiting for the supplier"),
    ReturnStatus.APPROVED: _l("Approved: send it back"),
    ReturnStatus.REJECTED: _l("Rejected"),
    ReturnStatus.RECEIVED: _l("Received and refunded"),
    ReturnStatus.CANCELLED: _l("Withdrawn"),
}
CLAIM_STATUS_LABELS: dict[ClaimStatus, Any] = {
    ClaimStatus.OPEN: _l("Waiting for the supplier"),
    ClaimStatus.APPROVED: _l("Compensated"),
    ClaimStatus.REJECTED: _l("Rejected"),
}

EVENT_LABELS: dict[str, Any] = {  # OrderEvent.code (a status change has none: its badge tells)
    "placed": _l("Order placed"),
    "payment_succeeded": _l("Payment received"),
    "payment_failed": _l("Payment failed"),
    "bank_transfer_chosen": _l("Paying by bank transfer"),
    "cash_collected": _l("Cash collected on delivery"),
    "late_payment_refunded": _l("Paid after cancellation; refunded"),
    "dispute_opened": _l("Payment disputed"),
    "dispute_closed": _l("Dispute closed"),
    "dispute_lost": _l("Dispute lost"),
    "refund_requested": _l("Refund started"),
    "refund_succeeded": _l("Refund paid back"),
    "refund_failed": _l("Refund failed"),
    "return_requested": _l("Return requested"),
    "return_approved": _l("Return approved"),
    "return_rejected": _l("Return rejected"),
    "claim_filed": _l("Bad fruit claim filed"),
    "claim_approved": _l("Bad fruit claim approved"),
    "claim_rejected": _l("Bad fruit claim rejected"),
}


def event_label(code: str | None) -> str:
    label = EVENT_LABELS.get(code or "")
    return str(label) if label is not None else ""


TABLES: dict[str, tuple[type, dict[Any, Any]]] = {
    "order_status": (OrderStatus, STATUS_LABELS),
    "buyer_type": (BuyerType, BUYER_TYPE_LABELS),
    "buyer_basis": (BuyerTypeBasis, BASIS_LABELS),
    "payment_method": (PaymentMethod, METHOD_LABELS),
    "payment_status": (PaymentStatus, PAYMENT_STATUS_LABELS),
    "refund_kind": (RefundKind, REFUND_KIND_LABELS),
    "refund_status": (RefundStatus, REFUND_STATUS_LABELS),
    "return_reason": (ReturnReason, RETURN_REASON_LABELS),
    "return_status": (ReturnStatus, RETURN_STATUS_LABELS),
    "claim_status": (ClaimStatus, CLAIM_STATUS_LABELS),
}


def parse_enum(enum: type[E], raw: Any) -> E | None:
    """The member of ``enum`` whose value is ``raw`` (query strings, forms), else None."""
    try:
        return enum(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def label(table: str, value: Any) -> str:
    """``label("payment_method", "alipay")`` → 支付宝 / Alipay; empty for None."""
    if value is None or value == "":
        return ""
    enum, labels = TABLES[table]
    return str(labels[enum(value)])
