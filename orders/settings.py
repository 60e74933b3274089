"""Settings of the order side, with their defaults (override any with ``YIPIN_<NAME>``)."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context

DEFAULTS: dict[str, Any] = {
    # how long an unpaid order holds its stock before it is cancelled
    "ORDER_PAYMENT_MINUTES": 30,
    "ORDER_BANK_TRANSFER_HOURS": 72,  # 对公转账 takes a working day or two
    # cash on delivery (货到付款): where enabled, up to this amount, with a service that allows it
    "ORDER_COD_ENABLED": True,
    "ORDER_COD_MAX_FEN": 200_000,
    # a delivered sub-order completes by itself after this many days (自动确认收货)
    "ORDER_AUTO_COMPLETE_DAYS": 10,
    "CART_MAX_LINES": 50,
    "CART_MAX_UNITS_PER_LINE": 999,
    # the platform's account for 对公转账 (shown on the payment page)
    "BANK_TRANSFER_ACCOUNT": {
        "name": "赣州市一品农产品电子商务有限公司",
        "bank": "中国农业银行赣州章贡支行",
        "number": "1406 0101 0400 1234 5",
    },
}


def setting(name: str) -> Any:
    """The app's value of ``name``, or its default (also outside an app context)."""
    if has_app_context() and name in current_app.config:
        return current_app.config[name]
    return DEFAULTS[name]
