"""A look at the product form, the product page and the review page in Chromium, on a phone
(390 px) and a desktop (1280 px): they render in Chinese, the region picker restores the origin
down to the village, nothing overflows sideways, and the screenshots are kept for a human look
(``YIPIN_SCREENSHOTS=<dir>``, default: the test's temporary folder)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from catalog import actions
from tests import factories
from tests.browser import fixtures as browser_fixtures
from tests.catalog import products_support as support
from yipin.db import db

pytestmark = pytest.mark.browser


WIDTHS = {"phone": 390, "desktop": 1280}
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(-5).map(e => e.tagName + '.' + e.className)"""


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("YIPIN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def scene(app, reference):
    """A listed product with pictures, then changed by its supplier (so the review has a diff)."""
    supplier, owner = support.supplier_with_owner(name="寻乌县晨光脐橙专业合作社")
    factories.authorise(supplier, "gannan-navel-orange")
    operator = factories.operator(display_name="审核员小王")
    product = support.draft_product(
        owner,
        name="赣南脐橙 寻乌晨光果园 现摘现发",
        brand_id=factories.brand().id,
        description="果园位于寻乌县长宁镇三二五村，海拔 400 米，红壤丘陵，昼夜温差大。\n"
        "每天清晨现摘，当天打包发出。",
    )
    actions.add_variant(
        db.session,
        owner,
        product.id,
        support.variant_draft(
            sku="CG-10KG",
            spec="10 kg 80–85 mm",
            net_weight_g=10000,
            gross_weight_g=10800,
            price_fen=12800,
            list_price_fen=15800,
            grade_id=factories.grade("first").id,
        ),
    )
    for color in ("#e8710a", "#f3a712", "#2f7d4f"):
        actions.add_image(
            db.session, owner, product.id, io.BytesIO(support.jpeg_bytes(900, 900, color))
        )
    actions.submit_for_review(db.session, owner, product.id)
    actions.approve(db.session, operator, product.id)
    actions.update_product(
        db.session,
        owner,
        product.id,
        actions.ProductDraft.of(product, subtitle="新季首发 坏果包赔", sale_months=[11, 12, 1, 2]),
    )
    variant = product.variants[0]
    actions.update_variant(
        db.session, owner, variant.id, actions.VariantDraft.of(variant, price_fen=5990)
    )
    actions.add_image(
        db.session, owner, product.id, io.BytesIO(support.jpeg_bytes(900, 700, "#c0392b"))
    )
    db.session.commit()
    return {"owner": owner, "operator": operator, "product": product}


def look(browser, base: str, user, path: str, name: str, shots: Path, ready: str) -> None:
    for label, width in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        context.set_default_timeout(15_000)
        page = context.new_page()
        browser_fixtures.browser_login(page, base, user.login)
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        page.wait_for_selector(ready)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        wide = page.evaluate(WIDEST) if overflow > 0 else []
        page.screenshot(path=str(shots / f"{name}-{label}.png"), full_page=True)
        assert overflow <= 0, f"{name} overflows by {overflow}px at {width}px: {wide}"
        context.close()


def test_the_product_form_on_phone_and_desktop(live_server, browser, scene, shots):
    product = scene["product"]
    look(
        browser,
        live_server,
        scene["owner"],
        f"/supplier/catalog/products/{product.id}/edit",
        "product-form",
        shots,
        "select[data-level='4']",  # the region picker restored down to the village
    )
    context = browser.new_context(viewport={"width": 390, "height": 900}, locale="zh-CN")
    page = context.new_page()
    browser_fixtures.browser_login(page, live_server, scene["owner"].login)
    page.goto(f"{live_server}/supplier/catalog/products/{product.id}/edit")
    page.wait_for_selector("select[data-level='4']")
    assert page.locator("select[data-level='4'] option:checked").inner_text() == "三二五村委会"
    assert "编辑商品" in page.locator("h1").inner_text()
    assert page.locator("label.month input:checked").count() == 5  # 4 on sale + 1 pre-sale
    context.close()


def test_the_product_page_on_phone_and_desktop(live_server, browser, scene, shots):
    look(
        browser,
        live_server,
        scene["owner"],
        f"/supplier/catalog/products/{scene['product'].id}",
        "product-page",
        shots,
        "#history",
    )


def test_the_review_page_on_phone_and_desktop(live_server, browser, scene, shots):
    look(
        browser,
        live_server,
        scene["operator"],
        f"/console/listings/{scene['product'].id}",
        "review-page",
        shots,
        "[data-diff='changes']",
    )
    look(
        browser,
        live_server,
        scene["operator"],
        "/console/listings",
        "review-queue",
        shots,
        ".plist",
    )
    look(
        browser,
        live_server,
        scene["owner"],
        "/supplier/catalog/products",
        "product-list",
        shots,
        ".plist",
    )
