"""Fixtures of the order tests: the shop, a SQL statement counter, Stripe events signed like
Stripe signs them."""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from orders.payments.stripe_gateway import sign
from tests.orders.world import Shop, build_shop
from yipin import clock
from yipin.db import db

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai, navel oranges in season


@pytest.fixture
def shop(app: Flask, reference: None) -> Shop:
    clock.freeze(NOW)
    built = build_shop()
    db.session.commit()
    return built


@pytest.fixture
def embedded_shop(embedded_app: Flask, embedded_reference: None) -> Shop:
    clock.freeze(NOW)
    built = build_shop()
    db.session.commit()
    return built


@contextlib.contextmanager
def count_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


def stripe_event(
    kind: str, obj: dict[str, Any], *, event_id: str | None = None, created: int | None = None
) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{secrets.token_hex(8)}",
        "object": "event",
        "type": kind,
        "created": created or int(clock.now().timestamp()),
        "data": {"object": obj},
    }


def intent_object(payment: Any, status: str = "succeeded", **extra: Any) -> dict[str, Any]:
    return {
        "id": payment.provider_ref,
        "object": "payment_intent",
        "amount": payment.amount_fen,
        "amount_received": payment.amount_fen if status == "succeeded" else 0,
        "currency": "cny",
        "status": status,
        "payment_method_types": ["card", "alipay", "wechat_pay"],
        "metadata": {"yipin_payment_id": str(payment.id)},
        **extra,
    }


def post_event(
    client: Any,
    app: Flask,
    event: dict[str, Any],
    *,
    at: datetime | None = None,
    secret: str | None = None,
) -> Any:
    body = json.dumps(event).encode()
    header = sign(body, secret or app.config["STRIPE_WEBHOOK_SECRET"], at)
    return client.post(
        "/api/v1/payments/stripe/webhook",
        data=body,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )
