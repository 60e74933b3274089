"""Browser: a bureau account opens the dashboard, filters to one county and downloads an XLSX
whose figures are the page's."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
import pytest

from tests import factories as f
from tests.browser.fixtures import browser_login
from tests.reports.world import NANKANG, XUNWU, World
from yipin.db import db

pytestmark = pytest.mark.browser


def test_bureau_filters_to_a_county_and_downloads_matching_xlsx(
    world: World, roll_up, live_server, page, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    world.supplier("甲", XUNWU)
    world.supplier("乙", NANKANG)
    order = world.sell("甲", 123_456, datetime(2026, 3, 1, 2, tzinfo=UTC))
    world.sell("甲", 20_000, datetime(2026, 4, 1, 2, tzinfo=UTC))
    world.sell("乙", 77_700, datetime(2026, 3, 2, 2, tzinfo=UTC))
    world.refund(order, 3_456, datetime(2026, 5, 1, 2, tzinfo=UTC))
    roll_up()
    bureau = f.bureau(display_name="赣州市商务局")
    db.session.commit()

    browser_login(page, live_server, bureau.login)
    page.click("a[data-link=sales]")
    page.wait_for_selector("[data-page=bureau-sales]")
    page.wait_for_selector("html[data-charts=ready]")  # ECharts, served by us, drew
    assert page.locator("#chart-trend svg").count() == 1

    page.select_option("#county", XUNWU)
    page.select_option("#group_by", "supplier")
    page.click("[data-filters] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert f"county={XUNWU}" in page.url
    names = page.locator("table[data-table=sales] tbody td:first-child").all_inner_texts()
    assert names == ["甲 农产品有限公司"]
    total_net = int(page.locator("tfoot [data-col=net]").get_attribute("data-fen"))
    assert total_net == 140_000
    kpi_net = page.locator("[data-kpi=net_sales] b").get_attribute("data-value")
    assert int(kpi_net) == total_net

    with page.expect_download() as download:
        page.click("a[data-export=xlsx]")
    path = tmp_path / "report.xlsx"
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert "甲 农产品有限公司" in rows and "乙 农产品有限公司" not in rows
    total_row = next(r for key, r in rows.items() if key in ("总计", "Total"))
    assert Decimal(str(total_row[3])) * 100 == total_net
    assert Decimal(str(rows["甲 农产品有限公司"][3])) * 100 == total_net
