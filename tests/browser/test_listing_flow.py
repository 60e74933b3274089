"""The whole listing flow in a real browser: a supplier lists a product with a batch, an
operator approves it, a consumer finds it and opens its traceability page from the QR code."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image

from tests import factories
from tests.browser.fixtures import browser_login
from yipin.db import db

pytestmark = pytest.mark.browser

VILLAGE_PATH = ["36", "3607", "360734", "360734100", "360734100201"]  # …寻乌县 长宁镇 三二五村委会


def pick_region(page, field: str, codes: list[str]) -> None:
    """Use the cascading address picker down to the village, as a person would."""
    picker = page.locator(f"[data-region-picker]:has(input[name={field}])")
    for level, code in enumerate(codes):
        select = picker.locator(f'select[data-level="{level}"]')
        select.locator(f'option[value="{code}"]').wait_for(state="attached")
        select.select_option(code)
    page.wait_for_function(
        "([f, c]) => document.querySelector(`input[name=${f}]`).value === c",
        arg=[field, codes[-1]],
    )


def scan_qr(locator) -> str:
    """Screenshot a QR code on the page and decode it (zxing-cpp), like a phone camera."""
    png = locator.screenshot()
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert results, "no QR code could be read"
    return results[0].text


def small_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (232, 113, 10)).save(out, "JPEG")
    return out.getvalue()


def test_supplier_lists_operator_approves_consumer_traces(live_server, browser, reference):
    supplier = factories.SupplierFactory(name="寻乌县晨光脐橙专业合作社")
    owner = factories.supplier_staff(supplier, owner=True, display_name="刘建华")
    factories.authorise(supplier, "gannan-navel-orange")
    operator = factories.operator(display_name="运营小王")
    standard_id = factories.standard("GB/T 21488-2008").id
    premium_id = factories.grade("premium").id
    db.session.commit()

    def new_page():
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        context.set_default_timeout(20_000)
        return context, context.new_page()

    # 1. The supplier drafts the product, down to the village of origin.
    ctx, page = new_page()
    browser_login(page, live_server, owner.login)
    page.goto(f"{live_server}/supplier/catalog/products/new")
    page.fill("input[name=name]", "赣南脐橙 寻乌果园直发 特等果")
    page.fill("input[name=subtitle]", "现摘现发 坏果包赔")
    page.select_option("select[name=category_id]", label="生鲜水果")
    page.select_option("select[name=brand_id]", label="赣南脐橙")
    page.select_option("select[name=grade_standard_id]", str(standard_id))
    pick_region(page, "origin_region_code", VILLAGE_PATH)
    page.fill("input[name=shelf_life_days]", "30")
    for month in ("11", "12", "1"):
        page.check(f"input[name=sale_months][value='{month}']")
    page.fill("textarea[name=description]", "寻乌丘陵红壤，昼夜温差大，果实脆甜。")
    page.click("form.product-form button[type=submit].primary")
    page.wait_for_url(re.compile(r".*/supplier/catalog/products/\d+$"))
    product_id = int(page.url.rsplit("/", 1)[1])

    # 2. A picture (EXIF stripped on the way in) and a graded variant priced in yuan.
    page.set_input_files(
        "input[name=images]",
        files=[{"name": "orchard.jpg", "mimeType": "image/jpeg", "buffer": small_jpeg()}],
    )
    page.click("form.upload-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server}/supplier/catalog/products/{product_id}/variants/new")
    page.fill("input[name=sku]", "XW-TJ-5KG")
    page.select_option("select[name=grade_id]", str(premium_id))
    page.fill("input[name=spec]", "5 kg 75–80 mm")
    page.fill("input[name=net_weight_g]", "5000")
    page.fill("input[name=gross_weight_g]", "5600")
    page.fill("input[name=price]", "69.80")
    page.fill("input[name=list_price]", "88")
    page.click("form button[type=submit].primary")
    page.wait_for_url(re.compile(rf".*/supplier/catalog/products/{product_id}.*"))

    # 3. Submitted for review.
    page.goto(f"{live_server}/supplier/catalog/products/{product_id}")
    page.click("text=提交审核")
    page.wait_for_load_state("networkidle")
    assert page.locator(".badge.pending_review").first.is_visible()

    # 4. A batch with its 承诺达标合格证 and a passed quick test.
    variant_id = db.session.execute(
        db.text("SELECT id FROM variants WHERE sku = 'XW-TJ-5KG'")
    ).scalar_one()
    page.goto(f"{live_server}/supplier/trace/batches/new?variant_id={variant_id}")
    page.fill("input[name=base_name]", "长宁镇三二五村 3 号果园")
    page.fill("input[name=quantity]", "400")
    pick_region(page, "base_region_code", VILLAGE_PATH)
    page.fill("input[name=harvest_date]", "2026-11-10")
    page.fill("input[name='inspections-0-item']", "农药残留（有机磷和氨基甲酸酯类）")
    page.fill("input[name='inspections-0-method']", "酶抑制率法")
    page.select_option("select[name='inspections-0-result']", "pass")
    page.click("form button[type=submit].primary")
    page.wait_for_url(re.compile(r".*/supplier/trace/batches/\d+$"))
    qr_target = scan_qr(page.locator("img[src$='qr.svg']").first)
    assert re.fullmatch(rf"{live_server}/t/[0-9A-Za-z]+", qr_target), qr_target
    ctx.close()

    # 5. The operator approves it.
    ctx, page = new_page()
    browser_login(page, live_server, operator.login)
    page.goto(f"{live_server}/console/listings")
    page.click("text=赣南脐橙 寻乌果园直发 特等果")
    page.wait_for_url(re.compile(rf".*/console/listings/{product_id}$"))
    page.click("form[action$='/approve'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    ctx.close()

    # 6. A consumer finds it on the storefront and follows it to the orchard.
    ctx, page = new_page()
    page.goto(f"{live_server}/c/fresh-fruit")
    page.click("text=赣南脐橙 寻乌果园直发 特等果")
    page.wait_for_url(re.compile(rf".*/p/{product_id}$"))
    body = page.locator("body").inner_text()
    for expected in ("¥69.80", "GB/T 21488-2008", "特等", "可溶性固形物", "寻乌县", "三二五村委会"):
        assert expected in body, expected
    picture = page.locator("img[src*='/media/images/']").first
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0")
    page.click("text=查看溯源")
    page.wait_for_load_state("networkidle")
    assert page.url == qr_target  # the storefront link and the QR lead to the same page
    trace = page.locator("body").inner_text()
    for expected in (
        "寻乌县晨光脐橙专业合作社",
        "长宁镇三二五村 3 号果园",
        "三二五村委会",
        "酶抑制率法",
    ):
        assert expected in trace, expected

    # ...and the QR printed on that page (and on the 合格证) leads to it as well.
    assert scan_qr(page.locator("img[src$='qr.svg']").first) == qr_target
    ctx.close()
