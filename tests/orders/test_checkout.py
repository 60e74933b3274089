"""Checkout: one order per payment, one sub-order per supplier, stock held, the cart emptied;
placing is idempotent; prices, limits and stock are checked again when the order is placed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from fulfillment.shipping import Parcel, quote
from orders.checkout import CheckoutRequest, Destination, place_order
from orders.errors import PriceChanged, QuantityUnavailable
from orders.models import (
    Order,
    OrderStatus,
    PaymentMethod,
    ReservationState,
    StockReservation,
)
from tests.orders.world import buy, fill_cart
from yipin.db import db


def test_one_payment_two_suppliers_two_sub_orders_stock_held_cart_emptied(shop):
    order = buy(shop, [(shop.orange, 2), (shop.pork, 1), (shop.oil, 1)])
    db.session.commit()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.number.startswith("YP261120") and len(order.number) == 18
    subs = {s.supplier_id: s for s in order.sub_orders}
    assert set(subs) == {shop.xunwu.id, shop.nankang.id}
    xunwu, nankang = subs[shop.xunwu.id], subs[shop.nankang.id]
    assert {xunwu.number, nankang.number} == {f"{order.number}-1", f"{order.number}-2"}
    assert xunwu.subtotal_fen == 2 * 6980 and nankang.subtotal_fen == 5800 + 19800
    # the chilled pork goes cold chain; the ambient oranges by standard parcel
    assert nankang.cold_chain and nankang.storage_class == "chilled"
    assert not xunwu.cold_chain and xunwu.shipping_service_code == "standard"
    assert order.total_fen == order.goods_fen + order.shipping_fen
    assert order.goods_fen == 2 * 6980 + 5800 + 19800
    # stock held, not sold
    assert shop.reserved(shop.orange) == 2 and shop.available(shop.orange) == 98
    held = db.session.scalars(sa.select(StockReservation)).all()
    assert {r.state for r in held} == {ReservationState.HELD}
    assert all(r.expires_at == order.payment_due_at for r in held)
    from orders.carts import find_cart

    assert find_cart(db.session, user_id=shop.consumer.id).lines == []


def test_the_same_key_places_one_order(shop):
    first = buy(shop, [(shop.orange, 1)], idempotency_key="checkout-token-0001")
    db.session.commit()
    cart = fill_cart(shop.consumer, [(shop.orange, 1)])
    again = place_order(
        db.session,
        shop.consumer,
        cart,
        CheckoutRequest(
            destination=Destination(address_id=shop.address.id),
            payment_method=PaymentMethod.BANK_TRANSFER,
            idempotency_key="checkout-token-0001",
        ),
    )
    assert not again.created and again.order.id == first.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
    assert shop.reserved(shop.orange) == 1


def test_price_change_since_the_quote_is_refused(shop):
    cart = fill_cart(shop.consumer, [(shop.orange, 1)])
    shop.orange.price_fen = 7280
    db.session.flush()
    with pytest.raises(PriceChanged) as caught:
        place_order(
            db.session,
            shop.consumer,
            cart,
            CheckoutRequest(
                destination=Destination(address_id=shop.address.id),
                payment_method=PaymentMethod.BANK_TRANSFER,
                expected_total_fen=6980 + 1000 + 400 * 5,
            ),
        )
    assert caught.value.errors["total_fen"] == [7280 + 1000 + 400 * 5]


def test_cart_is_bounded_by_stock_and_the_per_order_limit(shop):
    with pytest.raises(QuantityUnavailable):
        fill_cart(shop.consumer, [(shop.oil, 3)])  # 限购 2
    with pytest.raises(QuantityUnavailable):
        fill_cart(shop.consumer, [(shop.orange, 101)])
    fill_cart(shop.consumer, [(shop.orange, 100)])


def test_quote_first_and_additional_weight_cold_chain_only_for_chilled(shop):
    parcels = [
        Parcel("oranges", weight_g=11200, storage="ambient", goods_fen=13960),
        Parcel("pork", weight_g=1500, storage="chilled", goods_fen=5800),
        Parcel("dumplings", weight_g=900, storage="frozen", goods_fen=3000),
    ]
    beijing = quote(db.session, "110105", parcels)
    standard = next(o for o in beijing["oranges"] if o.service_code == "standard")
    assert standard.base_fen == 1000 + 11 * 400 and standard.surcharge_fen == 0  # 首重 + 11 kg
    assert {o.service_code for o in beijing["oranges"]} == {"standard", "express"}
    assert [o.service_code for o in beijing["pork"]] == ["cold_chain"]
    pork = beijing["pork"][0]
    assert pork.base_fen == 2600 + 800 and pork.surcharge_fen == 800  # 冷链附加费
    # in Jiangxi, ¥99 of goods ship free (the base fee; cold packaging is still paid)
    ganzhou = quote(db.session, "360702", parcels)
    assert next(o for o in ganzhou["oranges"] if o.service_code == "standard").fen == 0
    # the cold chain does not reach Tibet: nothing to offer for chilled or frozen goods
    lhasa = quote(db.session, "540102", parcels)
    assert lhasa["pork"] == [] and lhasa["dumplings"] == []
    assert lhasa["oranges"]
