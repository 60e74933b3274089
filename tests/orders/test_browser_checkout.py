"""A consumer buys from two suppliers in one payment in a real browser: product pages → cart →
checkout → payment page (Stripe.js cannot be reached here: the page says so) → the payment is
confirmed against stripe-mock and Stripe's webhook arrives → the order shows two parcels."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from orders.models import Order
from orders.payments import flows
from tests.browser.fixtures import browser_login
from tests.orders.conftest import intent_object, post_event, stripe_event
from yipin.db import db

pytestmark = pytest.mark.browser


def test_buy_from_two_suppliers_in_one_payment_and_see_two_parcels(app, live_server, browser, shop):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.set_default_timeout(20_000)
    page = context.new_page()
    browser_login(page, live_server, shop.consumer.login)

    for variant in (shop.orange, shop.pork):
        page.goto(f"{live_server}/p/{variant.product_id}")
        page.click("form[data-add-to-cart] button[type=submit]")
        page.wait_for_url(re.compile(r".*/cart$"))
    assert page.locator("[data-cart-line]").count() == 2
    cart = page.content()
    assert "寻乌县晨光脐橙专业合作社" in cart and "南康区家乡味农产品有限公司" in cart

    page.click("[data-action=checkout]")
    page.wait_for_url(re.compile(r".*/checkout$"))
    assert page.locator("[data-parcel]").count() == 2
    assert page.locator("text=冷链快递").count() >= 1  # the chilled pork travels cold
    page.check("input[name=payment_method][value=card]")
    page.click("[data-action=place-order]")
    page.wait_for_url(re.compile(r".*/orders/YP\d+/pay$"))

    # no internet here: Stripe's form cannot load, the page says so and offers a bank transfer
    page.locator("[data-unreachable]").wait_for(state="visible")
    assert page.locator("[data-action=bank-transfer]").is_visible()

    number = page.url.rsplit("/", 2)[-2]
    order = db.session.scalars(sa.select(Order).where(Order.number == number)).one()
    payment = order.payments[0]
    assert payment.provider_ref.startswith("pi_")
    # the buyer pays (confirmed server-side against stripe-mock) and Stripe tells us
    flows.confirm_intent(payment.id, "alipay", "browser-test-1", return_url=f"{live_server}/x")
    response = post_event(
        app.test_client(),
        app,
        stripe_event("payment_intent.succeeded", intent_object(payment)),
    )
    assert response.status_code == 200

    page.goto(f"{live_server}/orders/{number}")
    parcels = page.locator("[data-sub-order]")
    assert parcels.count() == 2
    assert page.locator("[data-page=order] .od-head [data-status=paid]").count() == 1
    assert parcels.locator("[data-status=awaiting_routing]").count() == 2
    text = page.content()
    assert "寻乌县晨光脐橙专业合作社" in text and "南康区家乡味农产品有限公司" in text
    assert "已付款" in text and "待发货" in text
    page.goto(f"{live_server}/orders")
    assert page.locator(f"[data-order={number}]").count() == 1
    context.close()
