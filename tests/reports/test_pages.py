"""Bureau pages, exports and the API: scope (a county account sees its county), the figures in
the XLSX / CSV / PDF equal the page's, bad input is refused without a 500, nobody else gets in."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
import pytest

from tests import factories as f
from tests.reports.world import NANKANG, XUNWU, World

AT = datetime(2026, 5, 1, 2, tzinfo=UTC)


@pytest.fixture
def sold(world: World, roll_up) -> World:  # type: ignore[no-untyped-def]
    world.supplier("甲", XUNWU)
    world.supplier("乙", NANKANG)
    order = world.sell("甲", 123_456, AT)
    world.sell("乙", 50_000, AT)
    world.refund(order, 3_456, datetime(2026, 6, 1, 2, tzinfo=UTC))
    roll_up()
    return world


def test_county_bureau_dashboard_shows_its_county_only(sold: World, client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as(f.bureau(XUNWU))
    page = client.get("/bureau/sales?start=2026-01-01&end=2026-12-31&group_by=supplier")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "甲 农产品有限公司" in html and "乙 农产品有限公司" not in html
    assert 'data-fen="120000" data-col="net"' in html  # ¥1,234.56 − ¥34.56
    assert "echarts.min.js" in html and "cdn" not in html.lower()
    assert client.get("/bureau/sales?county=" + NANKANG).status_code == 404
    assert client.get("/bureau/sales?start=garbage").status_code == 422
    api = client.get("/api/v1/reports/sales?start=2026-01-01&end=2026-12-31")
    assert api.status_code == 200
    body = api.get_json()
    assert body["scope"] == XUNWU and body["total"]["net_fen"] == 120_000
    assert {k["code"] for k in body["kpis"]} >= {
        "gmv",
        "net_sales",
        "orders",
        "buyers",
        "upward_sales",
    }
    assert client.get("/api/v1/reports/sales?county=" + NANKANG).status_code == 404
    assert client.get("/api/v1/reports/sales?grain=week").status_code == 422


def test_exports_carry_the_page_figures(sold: World, client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as(f.bureau())
    args = "start=2026-01-01&end=2026-12-31&group_by=county"
    xlsx = client.get(f"/bureau/sales.xlsx?{args}")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert float(rows["寻乌县"][3]) == 1200.00  # net, yuan
    assert float(rows["南康区"][3]) == 500.00
    csv_text = client.get(f"/bureau/sales.csv?{args}").data.decode("utf-8-sig")
    assert "寻乌县" in csv_text and "1200.00" in csv_text
    pdf = client.get(f"/bureau/sales.pdf?{args}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"/bureau/sales.exe?{args}").status_code == 404


def test_reward_pages_and_api(sold: World, client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as(sold.operator)
    assert client.get("/bureau/rewards?year=2026").status_code == 200
    frozen = client.submit("/console/reports/rewards/2026/freeze", {"note": "初稿"})
    assert frozen.status_code == 302
    snap = client.get("/bureau/rewards/2026/v1")
    assert snap.status_code == 200 and 'data-signature="valid"' in snap.get_data(as_text=True)
    assert client.get("/bureau/rewards/2026/v1.xlsx").status_code == 200
    assert client.get("/bureau/rewards/2026.pdf").data.startswith(b"%PDF")
    assert client.get("/api/v1/reports/rewards/2026/versions").get_json()[0]["signature_valid"]
    assert client.get("/bureau/rewards/2026/v9").status_code == 404
    assert client.get("/bureau/rewards?year=abc").status_code == 404
    client.submit("/logout")
    login_as(f.bureau(XUNWU))
    county = client.get("/api/v1/reports/rewards/2026").get_json()
    assert all((r["county_code"] or "").startswith(XUNWU) for r in county["rows"])


def test_only_bureau_and_operators_read_reports(sold: World, client, login_as) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/bureau/sales").status_code in (302, 401)
    login_as(f.supplier_staff(sold.suppliers["甲"], owner=True))
    assert client.get("/bureau/sales").status_code == 403
    assert client.get("/api/v1/reports/sales").status_code == 403
    assert client.get("/console/reports/rewards").status_code == 403
