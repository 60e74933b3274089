"""In Chromium: an operator opens the fulfillment board, sees a routed parcel with the reasons
of its routing, and moves it to another warehouse; the buyer sees the parcel's timeline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fulfillment.routing import waybills
from fulfillment.routing.models import TrackingStatus
from fulfillment.routing.tracking import Event, apply_events
from tests import factories as f
from tests.browser.fixtures import browser_login
from tests.fulfillment.routing_world import book, paid_order, parcels, route, sub_order_of
from yipin import clock
from yipin.db import commit, db

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("YIPIN_SCREENSHOTS", "/tmp/yipin-screenshots"))


def test_operator_sees_reasons_and_moves_a_parcel(shop, live_server, page):
    second = f.WarehouseFactory(code="XW-TWO", name="寻乌晨光二号仓", supplier_id=shop.xunwu.id)
    f.StockFactory(warehouse=second, variant=shop.orange, on_hand=10)
    db.session.commit()
    order = paid_order(shop, [(shop.orange, 2)])
    sub = sub_order_of(order, shop.xunwu.id)
    route(sub)
    [fo] = parcels(sub)
    assert fo.warehouse.code == "XW-OWN"

    browser_login(page, live_server, shop.operator.login)
    page.goto(f"{live_server}/console/fulfillment/")
    page.get_by_role("link", name=fo.number).click()
    reasons = page.locator("#decisions ul.reasons").first
    assert "XW-OWN 有全部 2 件" in reasons.inner_text()
    assert "承运商覆盖目的地" in reasons.inner_text()
    page.locator("#decisions details summary").first.click()
    assert "XW-TWO" in page.locator("#decisions ul.rejected").first.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "fulfillment-detail.png"), full_page=True)

    page.select_option("#move-form select[name=warehouse_id]", label="寻乌晨光二号仓 (XW-TWO)")
    page.click("#move-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "包裹将从另一仓库发出" in page.content()
    assert "XW-TWO" in page.locator("[data-field=warehouse]").inner_text()
    assert page.locator('#decisions article[data-outcome="moved"]').count() == 1
    assert "由 XW-OWN 改为 XW-TWO" in page.locator("#decisions").inner_text()
    db.session.expire_all()
    assert parcels(sub)[0].warehouse.code == "XW-TWO"


def test_buyer_sees_the_tracking_timeline_with_the_pickup_code(shop, live_server, page):
    from tests.fulfillment.test_sla import EXAMPLES

    order = paid_order(shop, [(shop.orange, 1)])
    sub = sub_order_of(order, shop.xunwu.id)
    route(sub)
    [fo] = parcels(sub)
    book(fo)
    shipment = waybills.enter_waybill(db.session, None, fo.id, EXAMPLES[fo.service.carrier.code])
    apply_events(
        db.session,
        shipment,
        [
            Event(
                clock.now(), TrackingStatus.COLLECTED, "1", "【寻乌县】已揽收", "寻乌县", "360734"
            ),
            Event(
                clock.now().replace(hour=12),
                TrackingStatus.DELIVERED,
                "3",
                "已存放至【建国路菜鸟驿站】，取件码 8-1-2046",
                "北京市朝阳区",
                "110105",
            ),
        ],
    )
    commit()
    browser_login(page, live_server, shop.consumer.login)
    page.goto(f"{live_server}/orders/{order.number}")
    timeline = page.locator(".tracking-timeline")
    assert "取件码" in timeline.inner_text() and "8-1-2046" in timeline.inner_text()
    assert "已揽收" in timeline.inner_text()
    page.screenshot(path=str(SHOTS / "order-tracking.png"), full_page=True)
