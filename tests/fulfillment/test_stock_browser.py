"""Look at the stock page and the import page in a phone-sized Chromium (390 px)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalog.models import StorageClass
from fulfillment import actions
from tests import factories as f
from tests.browser.fixtures import browser_login
from tests.fulfillment.world import csv_bytes, import_rows
from yipin.db import db

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("YIPIN_SCREENSHOTS", "/tmp/yipin-screenshots"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_stock_page_on_a_phone(world, live_server, page):
    for i, (name, storage) in enumerate(
        [("寻乌蜜桔 5 斤装", StorageClass.AMBIENT), ("赣南脐橙鲜榨果汁", StorageClass.CHILLED)]
    ):
        product = f.ProductFactory(supplier=world.supplier, name=name, storage_class=storage)
        variant = f.VariantFactory(product=product, sku=f"XW-B-{i}", spec="2.5 kg")
        actions.set_on_hand(db.session, world.staff, variant.id, world.own_wh.id, 4 + i * 40)
    actions.set_on_hand(db.session, world.staff, world.variant.id, world.own_wh.id, 260)
    actions.set_on_hand(db.session, world.staff, world.variant.id, world.shared_wh.id, 6)
    actions.adjust_stock(
        db.session, world.staff, world.variant.id, world.own_wh.id, -12, "分拣损耗"
    )
    db.session.commit()
    browser_login(page, live_server, world.staff.login)
    page.goto(f"{live_server}/supplier/stock/")
    assert page.locator("h1").inner_text() == "库存"
    assert page.locator("td.cell.low").count() >= 2
    assert page.locator("td.cell.na").count() >= 1
    assert page.get_by_text("分拣损耗").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # the wide table scrolls inside its box, not the page
    shot(page, "stock-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "stock-1280")


def test_import_page_follows_progress_and_shows_the_error_report(
    world, live_server, page, jobs, tmp_path
):
    rows = import_rows(40)
    rows[5][10] = "籼米一级"
    rows[17][14] = "-5"
    rows[30][17] = "NOPE-1"
    path = tmp_path / "寻乌脐橙.csv"
    path.write_bytes(csv_bytes(rows, encoding="gbk"))
    browser_login(page, live_server, world.staff.login)
    page.goto(f"{live_server}/supplier/imports/")
    assert page.locator("h1").inner_text() == "批量导入"
    shot(page, "imports-390")
    page.set_input_files("input[type=file]", str(path))
    page.click("button[type=submit].primary")
    page.wait_for_url("**/supplier/imports/*")
    assert page.locator("[data-status=queued]").is_visible()  # no worker has run yet
    shot(page, "import-queued-390")
    jobs.run()  # a worker picks it up; the page polls and then shows the report
    page.wait_for_selector("[data-status=finished]", timeout=20_000)
    assert page.locator("#imported").inner_text() == "37"
    assert page.locator("#error-rows").inner_text() == "3"
    assert page.locator(".errors-table tbody tr").count() == 3
    assert page.locator(".errors-table td.rowno").all_inner_texts() == ["7", "19", "32"]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    shot(page, "import-report-390")
    with page.expect_download() as download:
        page.click("text=下载 .xlsx")
    assert download.value.suggested_filename.endswith("-errors.xlsx")


def test_console_warehouse_list_on_a_phone(world, live_server, page):
    actions.set_on_hand(db.session, world.staff, world.variant.id, world.shared_wh.id, 30)
    db.session.commit()
    browser_login(page, live_server, world.operator.login)
    page.goto(f"{live_server}/console/warehouses/?state=all")
    assert page.locator("h1").inner_text() == "仓库"
    assert page.get_by_text("寻乌县物流配送中心").is_visible()
    shot(page, "console-warehouses-390")
