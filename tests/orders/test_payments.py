"""Payments: Stripe PaymentIntents in CNY for card, Alipay and WeChat Pay (stripe-mock); the
webhook verifies signatures and timestamps, applies each event once even when it arrives ten
times at once, and converges whatever order events arrive in; bank transfers confirmed by an
operator; unpaid orders expire and free their stock."""

from __future__ import annotations

import itertools
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from orders.models import (
    LedgerEntryKind,
    Order,
    OrderEvent,
    OrderEventKind,
    OrderStatus,
    Payment,
    PaymentEvent,
    PaymentMethod,
    PaymentStatus,
    SalesLedgerEntry,
)
from orders.payments import stripe_gateway
from orders.payments.stripe_gateway import sign
from tests.orders.conftest import intent_object, post_event, stripe_event
from tests.orders.world import buy
from yipin import clock
from yipin.accounts.actions import issue_api_token
from yipin.db import db
from yipin.outbox.models import OutboxEntry


def _token(user):
    _row, secret = issue_api_token(db.session, user, "app")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _online_order(app, shop, items=None):
    """An order placed through the API, paid online: its PaymentIntent exists at stripe-mock."""
    client = app.test_client()
    headers = _token(shop.consumer)
    for variant, quantity in items or [(shop.orange, 2), (shop.pork, 1)]:
        client.post(
            "/api/v1/cart/lines",
            json={"variant_id": variant.id, "quantity": quantity},
            headers=headers,
        )
    r = client.post(
        "/api/v1/orders",
        headers=headers,
        json={"destination": {"address_id": shop.address.id}, "payment_method": "card"},
    )
    assert r.status_code == 201, r.json
    order = db.session.get(Order, r.json["id"])
    return order, order.payments[0], client, headers


def _ledger_total(order_id):
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(SalesLedgerEntry.amount_fen), 0)).where(
            SalesLedgerEntry.order_id == order_id
        )
    )


# ----------------------------------------------------------------------------- Stripe


@pytest.mark.parametrize("method", ["card", "alipay", "wechat_pay"])
def test_payment_intents_in_cny_for_each_method_against_stripe_mock(app, shop, method):
    intent = stripe_gateway.create_intent(12345, [method], {"order_number": "YP1"}, f"k-{method}")
    assert intent.id.startswith("pi_") and intent.currency == "cny"
    assert intent.amount_fen == 12345 and intent.method_types == (method,)
    assert intent.client_secret

    order, payment, client, headers = _online_order(app, shop)
    assert payment.provider_ref.startswith("pi_")
    assert set(payment.offered_methods) == {"card", "alipay", "wechat_pay"}
    body = {"method": method}
    if method == "card":
        body["payment_method_id"] = "pm_card_visa"
    if method == "alipay":
        body["return_url"] = "https://yipin.example/orders/return"
    r = client.post(
        f"/api/v1/payments/{payment.id}/confirm",
        json=body,
        headers={**headers, "Idempotency-Key": f"confirm-{method}-0001"},
    )
    assert r.status_code == 200, r.json
    # stripe-mock answers with canned objects: only the webhook marks the order paid
    assert db.session.get(Order, order.id).status == OrderStatus.PENDING_PAYMENT


def test_a_succeeded_payment_pays_the_order_allocates_stock_and_writes_the_ledger(app, shop):
    order, payment, client, _ = _online_order(app, shop)
    event = stripe_event(
        "payment_intent.succeeded", intent_object(payment, payment_method={"type": "alipay"})
    )
    r = post_event(client, app, event)
    assert r.status_code == 200 and r.json == {"received": True, "outcome": "applied"}
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == OrderStatus.PAID and order.payment_method == PaymentMethod.ALIPAY
    assert {s.status for s in order.sub_orders} == {OrderStatus.AWAITING_ROUTING}
    entries = db.session.scalars(
        sa.select(SalesLedgerEntry).where(SalesLedgerEntry.order_id == order.id)
    ).all()
    assert len(entries) == 2 and _ledger_total(order.id) == order.goods_fen
    orange = next(e for e in entries if e.variant_id == shop.orange.id)
    assert orange.kind == LedgerEntryKind.SALE and orange.quantity == 2
    assert orange.supplier_county_code == "360734" and orange.origin_township_code == "360734100"
    assert orange.brand_id is not None  # 赣南脐橙, authorised on the day
    assert orange.destination_province_code == "11" and orange.is_upward  # 上行: to Beijing
    assert orange.buyer_type == "individual" and orange.occurred_at is not None
    topics = db.session.scalars(sa.select(OutboxEntry.topic)).all()
    assert "orders.order_paid" in topics


# ----------------------------------------------------------------------------- webhook


def test_bad_signature_and_stale_timestamp_are_refused_with_400(app, shop):
    order, payment, client, _ = _online_order(app, shop)
    event = stripe_event("payment_intent.succeeded", intent_object(payment))
    assert post_event(client, app, event, secret="whsec_wrong").status_code == 400
    stale = post_event(client, app, event, at=clock.now() - timedelta(minutes=6))
    assert stale.status_code == 400 and stale.json["error"] == "webhook_refused"
    body = json.dumps(event).encode()
    unsigned = client.post(
        "/api/v1/payments/stripe/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    assert unsigned.status_code == 400
    tampered = body.replace(b'"amount": ', b'"amount": 1')
    r = client.post(
        "/api/v1/payments/stripe/webhook",
        data=tampered,
        headers={
            "Stripe-Signature": sign(body, app.config["STRIPE_WEBHOOK_SECRET"]),
            "Content-Type": "application/json",
        },
    )
    assert r.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PaymentEvent)) == 0
    assert db.session.get(Order, order.id).status == OrderStatus.PENDING_PAYMENT


def test_the_same_event_ten_times_at_once_has_one_effect(app, shop):
    order, payment, _client, _ = _online_order(app, shop)
    event = stripe_event("payment_intent.succeeded", intent_object(payment))
    start = threading.Barrier(10)

    def deliver(_):
        client = app.test_client()
        start.wait()
        r = post_event(client, app, event)
        return r.status_code, r.json["outcome"]

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(deliver, range(10)))
    assert [code for code, _ in results] == [200] * 10
    assert sorted(outcome for _, outcome in results) == ["applied"] + ["duplicate"] * 9
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PaymentEvent)) == 1
    assert db.session.get(Order, order.id).status == OrderStatus.PAID
    assert _ledger_total(order.id) == order.goods_fen  # sold once, not ten times
    paid_events = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OrderEvent)
        .where(OrderEvent.order_id == order.id, OrderEvent.kind == OrderEventKind.PAYMENT)
    )
    assert paid_events == 1
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxEntry)
            .where(OutboxEntry.topic == "orders.order_paid")
        )
        == 1
    )


def _final_state(order_id):
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    return (
        order.status,
        order.payments[0].status,
        order.refunded_fen,
        _ledger_total(order_id),
        sorted(s.status for s in order.sub_orders),
    )


def test_events_arriving_in_any_order_converge(app, shop):
    finals = set()
    for permutation in itertools.permutations(["failed", "succeeded", "refund"]):
        order, payment, client, _ = _online_order(app, shop, [(shop.orange, 1), (shop.oil, 1)])
        minute = int(clock.now().timestamp())
        events = {
            "failed": stripe_event(
                "payment_intent.payment_failed",
                intent_object(
                    payment,
                    "requires_payment_method",
                    last_payment_error={"code": "card_declined", "message": "declined"},
                ),
                created=minute - 60,
            ),
            "succeeded": stripe_event(
                "payment_intent.succeeded", intent_object(payment), created=minute
            ),
            "refund": stripe_event(
                "refund.updated",
                {
                    "id": f"re_{payment.id}",
                    "object": "refund",
                    "amount": 1000,
                    "currency": "cny",
                    "status": "succeeded",
                    "payment_intent": payment.provider_ref,
                    "metadata": {},
                },
                created=minute + 60,
            ),
        }
        for name in permutation:
            assert post_event(client, app, events[name]).status_code == 200
        state = _final_state(order.id)
        assert state[0] == OrderStatus.PARTLY_REFUNDED and state[1] == PaymentStatus.SUCCEEDED
        finals.add(
            (state[0], state[1], state[2], state[3] - db.session.get(Order, order.id).goods_fen)
        )
    assert finals == {(OrderStatus.PARTLY_REFUNDED, PaymentStatus.SUCCEEDED, 1000, -1000)}


# ----------------------------------------------------------------------------- offline


def test_bank_transfer_is_confirmed_by_an_operator_with_the_reference(app, shop):
    order = buy(shop, [(shop.orange, 1)], method=PaymentMethod.BANK_TRANSFER)
    db.session.commit()
    payment = order.payments[0]
    assert order.payment_due_at - order.placed_at == timedelta(hours=72)
    client = app.test_client()
    operator = _token(shop.operator)
    wrong = client.post(
        f"/api/v1/payments/{payment.id}/bank-transfer",
        headers=operator,
        json={"reference": "ABC20261120001", "amount_fen": order.total_fen - 1},
    )
    assert wrong.status_code == 422
    consumer = _token(shop.consumer)
    assert (
        client.post(
            f"/api/v1/payments/{payment.id}/bank-transfer",
            headers=consumer,
            json={"reference": "ABC20261120001", "amount_fen": order.total_fen},
        ).status_code
        == 403
    )
    ok = client.post(
        f"/api/v1/payments/{payment.id}/bank-transfer",
        headers=operator,
        json={"reference": "ABC20261120001", "amount_fen": order.total_fen},
    )
    assert ok.status_code == 200 and ok.json["status"] == "succeeded"
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.PAID
    assert _ledger_total(order.id) == order.goods_fen


def test_cash_on_delivery_ships_first_and_is_sold_when_collected(app, shop):
    order = buy(shop, [(shop.orange, 1), (shop.oil, 1)], method=PaymentMethod.COD)
    db.session.commit()
    assert order.status == OrderStatus.CASH_ON_DELIVERY
    assert {s.status for s in order.sub_orders} == {OrderStatus.AWAITING_ROUTING}
    assert len(order.payments) == 2 and _ledger_total(order.id) == 0
    from orders import lifecycle
    from tests import factories as f

    for sub in order.sub_orders:
        batch = f.BatchFactory(variant=sub.lines[0].variant)
        lifecycle.mark_shipped(
            db.session,
            shop.operator,
            sub.id,
            carrier_name="邮政",
            waybill_number=f"YZ{sub.id:06d}",
            batches={sub.lines[0].id: batch.id},
        )
    first, second = order.sub_orders
    lifecycle.mark_delivered(db.session, shop.operator, first.id)
    db.session.commit()
    assert _ledger_total(order.id) == first.subtotal_fen
    assert db.session.get(Order, order.id).status == OrderStatus.CASH_ON_DELIVERY
    lifecycle.mark_delivered(db.session, shop.operator, second.id)
    db.session.commit()
    assert db.session.get(Order, order.id).status == OrderStatus.PAID
    assert _ledger_total(order.id) == order.goods_fen


# ----------------------------------------------------------------------------- expiry


def test_an_expired_reservation_frees_the_stock(app, shop, jobs):
    order, payment, client, _ = _online_order(app, shop, [(shop.orange, 3)])
    assert shop.available(shop.orange) == 97
    clock.advance(timedelta(minutes=29))
    jobs.run()
    assert db.session.get(Order, order.id).status == OrderStatus.PENDING_PAYMENT
    clock.advance(timedelta(minutes=2))
    jobs.run()  # the delayed order.payment_due entry is due now
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == OrderStatus.CANCELLED and order.cancel_reason == "payment time ran out"
    assert shop.available(shop.orange) == 100 and shop.reserved(shop.orange) == 0
    assert order.payments[0].status == PaymentStatus.CANCELLED

    # a payment that still lands revives the order while the stock is there
    r = post_event(client, app, stripe_event("payment_intent.succeeded", intent_object(payment)))
    assert r.status_code == 200
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.PAID
    assert shop.reserved(shop.orange) == 3


def test_a_late_payment_is_refunded_when_the_stock_is_gone(app, shop, jobs):
    order, payment, client, _ = _online_order(app, shop, [(shop.orange, 3)])
    clock.advance(timedelta(minutes=31))
    jobs.run()
    for stock in shop.stock(shop.orange):
        stock.on_hand = 0
    db.session.commit()
    r = post_event(client, app, stripe_event("payment_intent.succeeded", intent_object(payment)))
    assert r.status_code == 200
    jobs.run()  # the refund goes to Stripe (stripe-mock answers "succeeded")
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == OrderStatus.CANCELLED
    assert order.refunded_fen == order.total_fen and _ledger_total(order.id) == 0
    assert db.session.get(Payment, payment.id).refunded_fen == order.total_fen


def test_cancelling_an_unpaid_order_frees_its_stock_at_once(app, shop):
    order, _payment, client, headers = _online_order(app, shop, [(shop.orange, 2)])
    r = client.post(f"/api/v1/orders/{order.id}/cancel", json={"reason": "买错了"}, headers=headers)
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    assert shop.available(shop.orange) == 100
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxEntry)
            .where(OutboxEntry.topic == "orders.intent_to_void")
        )
        == 1
    )
