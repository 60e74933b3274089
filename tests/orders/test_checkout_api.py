"""Checkout through the JSON API: the query count of placing an order is constant whatever the
number of lines and suppliers (and at most 25); the same Idempotency-Key yields one order."""

from __future__ import annotations

import sqlalchemy as sa

from orders.models import Order
from tests import factories as f
from tests.orders.conftest import count_queries
from yipin.accounts.actions import issue_api_token
from yipin.db import db

MAX_CHECKOUT_QUERIES = 25


def _token(user):
    _row, secret = issue_api_token(db.session, user, "app")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _more_variants(shop, n):
    """``n`` more variants spread over three suppliers (one of them new), stocked."""
    third = f.SupplierFactory(name="安远县东江源果业有限公司", region_code="360726100201")
    owners = [shop.xunwu, shop.nankang, third]
    made = []
    for i in range(n):
        supplier = owners[i % 3]
        variant = f.VariantFactory(
            product=f.ProductFactory(supplier=supplier, name=f"赣南脐橙 {i} 号园"),
            price_fen=3000 + i * 100,
        )
        f.StockFactory(warehouse=shop.warehouse, variant=variant, on_hand=50)
        made.append(variant)
    db.session.commit()
    return made


def _checkout(client, headers, items, key):
    for variant, quantity in items:
        r = client.post(
            "/api/v1/cart/lines",
            json={"variant_id": variant.id, "quantity": quantity},
            headers=headers,
        )
        assert r.status_code == 201, r.json
    body = {"destination": {"address_id": _address_id()}, "payment_method": "card"}
    with count_queries() as statements:
        r = client.post("/api/v1/orders", json=body, headers={**headers, "Idempotency-Key": key})
    assert r.status_code == 201, r.json
    return r.json, statements


def _address_id():
    from orders.models import Address

    return db.session.scalars(sa.select(Address.id)).first()


def test_placing_an_order_takes_the_same_few_queries_for_1_or_9_lines(app, shop):
    client = app.test_client()
    headers = _token(shop.consumer)
    extra = _more_variants(shop, 6)
    small, small_q = _checkout(client, headers, [(shop.orange, 1)], "order-key-small-1")
    big_items = [(shop.orange, 2), (shop.pork, 1), (shop.oil, 2)] + [(v, 1) for v in extra]
    big, big_q = _checkout(client, headers, big_items, "order-key-big-0001")
    assert len(small["sub_orders"]) == 1 and len(big["sub_orders"]) == 3
    assert sum(len(s["lines"]) for s in big["sub_orders"]) == 9
    print("checkout statements:", len(small_q), len(big_q))
    assert len(big_q) == len(small_q), "\n".join(big_q)
    assert len(big_q) <= MAX_CHECKOUT_QUERIES, "\n".join(q[:150] for q in big_q)
    # the order is open for payment by Stripe (stripe-mock answered)
    payment = big["payments"][0]
    assert payment["provider"] == "stripe" and payment["provider_ref"].startswith("pi_")
    assert payment["client_secret"] and payment["amount_fen"] == big["total_fen"]


def test_a_retried_request_with_the_same_key_gets_the_same_order(app, shop):
    client = app.test_client()
    headers = _token(shop.consumer)
    first, _ = _checkout(client, headers, [(shop.orange, 1)], "retry-key-000001")
    client.post(
        "/api/v1/cart/lines", json={"variant_id": shop.orange.id, "quantity": 1}, headers=headers
    )
    again = client.post(
        "/api/v1/orders",
        json={"destination": {"address_id": _address_id()}, "payment_method": "card"},
        headers={**headers, "Idempotency-Key": "retry-key-000001"},
    )
    assert again.status_code == 200 and again.json["id"] == first["id"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
    assert shop.reserved(shop.orange) == 1


def test_strict_integers_and_declared_errors(app, shop):
    client = app.test_client()
    headers = _token(shop.consumer)
    for bad in ("1", 1.0, True, -1, 0):
        r = client.post(
            "/api/v1/cart/lines",
            json={"variant_id": shop.orange.id, "quantity": bad},
            headers=headers,
        )
        assert r.status_code == 422, bad
        assert r.json["error"] and r.json["messages"]["zh_CN"]
    r = client.post(
        "/api/v1/cart/lines", json={"variant_id": shop.oil.id, "quantity": 3}, headers=headers
    )
    assert r.status_code == 409 and r.json["error"] == "quantity_unavailable"
    spec = client.get("/api/openapi.json").json
    place = spec["paths"]["/api/v1/orders"]["post"]
    assert {"201", "401", "403", "409", "422"} <= set(place["responses"])
    assert "Idempotency-Key" in {p["name"] for p in place["parameters"]}
