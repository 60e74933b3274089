"""The order pages render and work through plain forms: cart (guest and consumer, merged at
login), checkout, payment (Stripe form or offline instructions), order list and detail with
history; the supplier's parcels; the operator's search, refunds and bank-transfer confirmation."""

from __future__ import annotations

import re

import sqlalchemy as sa

from orders.models import Cart, Order, OrderStatus, PaymentStatus
from tests.conftest import login
from yipin.db import db


def text(response):
    return response.get_data(as_text=True)


def test_guest_cart_merges_into_the_consumer_cart_at_login(app, client, shop):
    r = client.submit("/cart/add", {"variant_id": shop.orange.id, "quantity": 2})
    assert r.status_code == 302
    assert "yipin_cart" in r.headers.get("Set-Cookie", "")
    page = text(client.get("/cart"))
    assert "赣南脐橙 寻乌果园直发" in page and "¥139.60" in page
    login(client, shop.consumer)
    client.get("/")
    cart = db.session.scalars(sa.select(Cart).where(Cart.user_id == shop.consumer.id)).one()
    assert [(line.variant_id, line.quantity) for line in cart.lines] == [(shop.orange.id, 2)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cart)) == 1


def test_checkout_page_to_order_page_by_bank_transfer(app, client, shop):
    login(client, shop.consumer)
    client.submit("/cart/add", {"variant_id": shop.orange.id, "quantity": 1})
    client.submit("/cart/add", {"variant_id": shop.pork.id, "quantity": 1})
    page = text(client.get("/checkout"))
    assert "冷链快递" in page and "快递标准件" in page and 'data-parcels="2"' in page
    total = int(re.search(r'data-total="(\d+)"', page).group(1))
    token = re.search(r'name="checkout_token" value="([^"]+)"', page).group(1)
    form = {
        "address_id": str(shop.address.id),
        "buyer_kind": "individual",
        "payment_method": "bank_transfer",
        "expected_total_fen": str(total),
        "checkout_token": token,
        "action": "place",
    }
    r = client.submit("/checkout", form)
    assert r.status_code == 302 and "/pay" in r.headers["Location"]
    again = client.submit("/checkout", form)  # a double click: the same order
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
    assert again.status_code in (302, 200)
    order = db.session.scalars(sa.select(Order)).one()
    pay = text(client.get(f"/orders/{order.number}/pay"))
    assert "data-bank-transfer" in pay and order.number in pay
    assert "中国农业银行赣州章贡支行" in pay
    detail = text(client.get(f"/orders/{order.number}"))
    assert detail.count("data-sub-order=") == 2 and "寻乌县晨光脐橙专业合作社" in detail
    assert "待付款" in detail
    listing = text(client.get("/orders"))
    assert order.number in listing


def test_the_payment_page_offers_stripe_or_says_it_cannot_be_reached(app, client, shop):
    login(client, shop.consumer)
    client.submit("/cart/add", {"variant_id": shop.orange.id, "quantity": 1})
    page = text(client.get("/checkout"))
    token = re.search(r'name="checkout_token" value="([^"]+)"', page).group(1)
    r = client.submit(
        "/checkout",
        {
            "address_id": str(shop.address.id),
            "payment_method": "card",
            "checkout_token": token,
            "action": "place",
        },
    )
    order = db.session.scalars(sa.select(Order)).one()
    assert r.headers["Location"].endswith(f"/orders/{order.number}/pay")
    assert order.payments[0].status == PaymentStatus.PENDING
    pay = text(client.get(r.headers["Location"]))
    assert 'id="stripe-pay"' in pay and order.payments[0].client_secret in pay
    assert "data-unreachable" in pay and "bank-transfer" in pay
    # the buyer switches to a bank transfer; the operator confirms it in the console
    client.submit(f"/orders/{order.number}/pay/bank-transfer")
    assert "data-bank-transfer" in text(client.get(f"/orders/{order.number}/pay"))


def test_supplier_ships_its_parcel_and_operator_refunds_in_the_console(app, client, shop):
    from orders.payments.service import confirm_bank_transfer
    from tests import factories as f
    from tests.orders.world import buy

    order = buy(shop, [(shop.orange, 2), (shop.oil, 1)])
    confirm_bank_transfer(
        db.session, shop.operator, order.payments[0].id, "REF-20261120", order.total_fen
    )
    batch = f.BatchFactory(variant=shop.orange)
    db.session.commit()
    xunwu = next(s for s in order.sub_orders if s.supplier_id == shop.xunwu.id)
    nankang = next(s for s in order.sub_orders if s.supplier_id == shop.nankang.id)
    login(client, shop.xunwu_owner)
    listing = text(client.get("/supplier/orders/"))
    assert xunwu.number in listing and nankang.number not in listing
    assert client.get(f"/supplier/orders/{nankang.id}").status_code == 404
    page = text(client.get(f"/supplier/orders/{xunwu.id}"))
    assert batch.code in page and "建国路 88 号" in page
    r = client.submit(
        f"/supplier/orders/{xunwu.id}/ship",
        {
            f"batch_{xunwu.lines[0].id}": str(batch.id),
            "carrier_name": "中国邮政",
            "waybill_number": "YZ1234567890",
        },
    )
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(xunwu), xunwu.id).status == OrderStatus.SHIPPED
    client.submit("/logout")

    login(client, shop.operator)
    found = text(client.get(f"/console/orders/?q={order.number}"))
    assert order.number in found
    detail = text(client.get(f"/console/orders/{order.id}"))
    assert "data-refund-form" in detail and "YZ1234567890" in detail
    r = client.submit(
        f"/console/orders/parcels/{nankang.id}/refund",
        {"amount": "50.00", "reason": "部分缺货补偿"},
    )
    assert r.status_code == 302
    queue = text(client.get("/console/orders/bank-transfers"))
    assert "部分缺货补偿" in queue
    assert client.get("/console/orders/shipping-rates?province=11").status_code == 200
    assert client.get("/console/orders/state-owned").status_code == 200
    assert client.get("/console/orders/claims").status_code == 200


def test_old_guest_carts_are_purged(app, client, shop):
    from datetime import timedelta

    from yipin import clock

    client.submit("/cart/add", {"variant_id": shop.orange.id, "quantity": 1})
    runner = app.test_cli_runner()
    assert "removed 0" in runner.invoke(args=["orders", "purge-guest-carts"]).output
    clock.advance(timedelta(days=31))
    assert "removed 1" in runner.invoke(args=["orders", "purge-guest-carts"]).output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cart)) == 0
