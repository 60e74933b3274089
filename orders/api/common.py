"""Shared pieces of the order API: the refusals several operations share, in both languages."""

from __future__ import annotations

CONFLICT = (
    409,
    "Conflicts with the current state: stock, price or status · 与当前状态冲突：库存、价格或状态",
)
STATE = (409, "Not allowed in the record's current status · 当前状态下不允许此操作")
PROVIDER_DOWN = (
    503,
    "The payment provider did not answer; try again · 支付服务商无应答，请重试",
)
NO_CART = (403, "Staff accounts have no cart · 员工账号没有购物车")
DATES = "Dates lie between 1900-01-01 and 2199-12-31 · 日期须在 1900-01-01 至 2199-12-31 之间"
