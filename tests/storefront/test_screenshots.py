"""Screenshots of the home, category and product pages with the demo data, phone-sized (390 px)
and desktop (1280 px), saved for a person to look at (``YIPIN_SCREENSHOT_DIR``, else the test's
temporary folder). The test checks what a glance would: nothing overflows sideways, the
pictures load, the price and the 合格证 are on screen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from catalog.models import Batch, BatchStatus, Product, ProductImage, ProductStatus, Variant
from yipin.db import db
from yipin.seed import seed_demo_data

pytestmark = pytest.mark.browser
WIDTHS = {390: 844, 1280: 900}


def showcase_product() -> int:
    """A listed navel orange with two pictures and a batch on sale (the richest page)."""
    pictures = (
        sa.select(sa.func.count())
        .select_from(ProductImage)
        .where(ProductImage.product_id == Product.id)
        .scalar_subquery()
    )
    with_batch = (
        sa.select(Batch.id)
        .join(Variant, Batch.variant_id == Variant.id)
        .where(Variant.product_id == Product.id, Batch.status == BatchStatus.ACTIVE)
        .exists()
    )
    product_id = db.session.scalar(
        sa.select(Product.id)
        .where(
            Product.status == ProductStatus.LISTED,
            Product.name.startswith("赣南脐橙"),
            with_batch,
        )
        .order_by(pictures.desc(), Product.id)
        .limit(1)
    )
    assert product_id is not None
    return product_id


def test_storefront_pages_with_the_demo_data(app, live_server, browser, tmp_path):
    seed_demo_data(echo=lambda line: None)
    product_id = showcase_product()
    out = Path(os.environ.get("YIPIN_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    pages = {
        "home": ("/", "[data-page=consumer-home]"),
        "category": ("/c/fresh-fruit", "[data-page=category]"),
        "product": (f"/p/{product_id}", ".sf-pricebox"),
    }
    for width, height in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        for name, (path, marker) in pages.items():
            page.goto(live_server + path)
            page.wait_for_load_state("networkidle")
            assert page.locator(marker).first.is_visible()
            # load the lazy pictures before the full-page shot
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            page.wait_for_load_state("networkidle")
            page.evaluate("window.scrollTo(0, 0)")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, name
            broken = page.evaluate(
                "Array.from(document.images).filter(i => i.complete && !i.naturalWidth).length"
            )
            assert broken == 0, f"{name}: {broken} pictures did not load"
            page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
        product = page  # the last one is the product page
        assert product.locator(".sf-hgz").first.is_visible()  # the 合格证 of a batch on sale
        assert product.locator("#grades").get_by_text("GB/T 21488-2008").first.is_visible()
        context.close()
