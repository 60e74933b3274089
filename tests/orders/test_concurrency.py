"""Nothing is sold twice: 50 buyers at once for 10 units on PostgreSQL end with exactly 10 paid
orders and no stock left; on SQLite (embedded) the stock never goes below zero either."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from orders import lifecycle
from orders.models import Order, OrderStatus, Payment, SalesLedgerEntry
from tests import factories as f
from tests.orders.conftest import intent_object, post_event, stripe_event
from tests.orders.world import fill_cart
from yipin.accounts.actions import issue_api_token
from yipin.db import db

BUYERS = 50
UNITS = 10


@pytest.fixture
def real_config(real_config):
    """Enough connections for the crowd (the rest wait their turn rather than time out)."""
    return {
        **real_config,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 20, "max_overflow": 0, "pool_timeout": 300},
    }


def _buyers(shop, n):
    out = []
    for i in range(n):
        user = f.consumer(display_name=f"买家{i}")
        fill_cart(user, [(shop.orange, 1)])
        _row, secret = issue_api_token(db.session, user, "app")
        out.append(secret)
    return out


def _race(app, secrets_, body):
    start = threading.Barrier(len(secrets_))

    def one(secret):
        client = app.test_client()
        start.wait()
        r = client.post(
            "/api/v1/orders",
            json=body,
            headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": secret[:40]},
        )
        return r.status_code, (r.json or {}).get("error")

    with ThreadPoolExecutor(max_workers=len(secrets_)) as pool:
        return list(pool.map(one, secrets_))


def _set_stock(shop, units):
    for stock in shop.stock(shop.orange):
        stock.on_hand = units
    db.session.commit()


def test_fifty_buyers_ten_units_exactly_ten_paid_orders_and_no_stock_left(app, shop):
    _set_stock(shop, UNITS)
    secrets_ = _buyers(shop, BUYERS)
    db.session.commit()
    body = {
        "destination": {
            "recipient_name": "买家",
            "phone": "13900001111",
            "region_code": "110105",
            "detail": "建国路 88 号",
        },
        "payment_method": "card",
    }
    results = _race(app, secrets_, body)
    codes = Counter(code for code, _ in results)
    assert codes[201] == UNITS, codes
    assert codes[409] == BUYERS - UNITS
    assert {error for code, error in results if code == 409} == {"quantity_unavailable"}
    assert shop.available(shop.orange) == 0 and shop.reserved(shop.orange) == UNITS

    # every placed order is paid (Stripe's webhook), then shipped: the shelf is empty
    client = app.test_client()
    batch = f.BatchFactory(variant=shop.orange, quantity=100)
    db.session.commit()
    for payment in db.session.scalars(sa.select(Payment)).all():
        r = post_event(
            client, app, stripe_event("payment_intent.succeeded", intent_object(payment))
        )
        assert r.status_code == 200, r.json
    db.session.expire_all()
    orders = db.session.scalars(sa.select(Order)).all()
    assert len(orders) == UNITS and {o.status for o in orders} == {OrderStatus.PAID}
    for order in orders:
        sub = order.sub_orders[0]
        lifecycle.mark_shipped(
            db.session,
            shop.xunwu_owner,
            sub.id,
            carrier_name="邮政",
            waybill_number=f"YZ{sub.id:08d}",
            batches={sub.lines[0].id: batch.id},
        )
    db.session.commit()
    stock = shop.stock(shop.orange)
    assert sum(s.on_hand for s in stock) == 0 and sum(s.reserved for s in stock) == 0
    sold = db.session.scalar(sa.select(sa.func.sum(SalesLedgerEntry.quantity)))
    assert sold == UNITS


def test_stock_never_goes_below_zero_on_sqlite(embedded_app, embedded_shop):
    shop = embedded_shop
    _set_stock(shop, 3)
    secrets_ = _buyers(shop, 10)
    db.session.commit()
    body = {
        "destination": {
            "recipient_name": "买家",
            "phone": "13900001111",
            "region_code": "110105",
            "detail": "建国路 88 号",
        },
        "payment_method": "bank_transfer",
    }
    results = _race(embedded_app, secrets_, body)
    codes = Counter(code for code, _ in results)
    assert codes[201] == 3 and codes[409] == 7, codes
    stock = shop.stock(shop.orange)
    assert all(0 <= s.reserved <= s.on_hand for s in stock)
    placed = db.session.scalar(sa.select(sa.func.count()).select_from(Order))
    assert placed == codes[201] and shop.reserved(shop.orange) == placed
