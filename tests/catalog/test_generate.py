"""``flask catalog generate --products N`` grows the catalog to N visible products of verified
suppliers (brands only where authorised, 合格证 on the product page), and a second run changes
nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalog.generate import visible_products
from catalog.models import Batch, BatchStatus, Product, ProductStatus
from tests import factories
from tests.storefront.conftest import november  # noqa: F401  (the clock in November)
from yipin.db import db


def suppliers() -> None:
    """Two verified suppliers in Ganzhou villages (one authorised for 赣南脐橙), one pending."""
    grower = factories.SupplierFactory(name="寻乌县生成测试合作社", region_code="360734100201")
    factories.authorise(grower, "gannan-navel-orange")
    factories.SupplierFactory(name="信丰县生成测试家庭农场", region_code="360722100201")
    factories.SupplierFactory(name="未认证的生成测试合作社", status="pending")
    db.session.commit()


@pytest.mark.both_databases
def test_generate_grows_the_catalog_to_n_visible_products_once(app, reference, november, client):  # noqa: F811
    runner = app.test_cli_runner()
    suppliers()
    result = runner.invoke(args=["catalog", "generate", "--products", "30"])
    assert result.exit_code == 0, result.output
    assert "30 visible" in result.output
    assert visible_products(db.session) == 30
    products = list(db.session.scalars(sa.select(Product)))
    assert {p.status for p in products} == {ProductStatus.LISTED}
    assert all(p.supplier.can_sell for p in products)  # never the pending supplier's
    assert all(p.origin_region_code.startswith("3607") for p in products)
    for product in products:
        assert product.variants and all(v.price_fen > 0 for v in product.variants)
        if product.brand is not None:  # only under an authorisation, from the brand's region
            assert product.supplier.name == "寻乌县生成测试合作社"
            assert product.brand.covers_region(product.origin_region_code)

    again = runner.invoke(args=["catalog", "generate", "--products", "30"])
    assert again.exit_code == 0, again.output
    assert "0 products generated" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 30

    # the storefront shows them, and a product in season carries its 合格证
    batch = db.session.scalars(
        sa.select(Batch).where(Batch.status == BatchStatus.ACTIVE).order_by(Batch.id)
    ).first()
    assert batch is not None
    page = client.get(f"/p/{batch.variant.product_id}").get_data(as_text=True)
    assert "承诺达标合格证" in page and batch.code in page
    assert client.get(f"/t/{batch.code}").status_code == 200
    assert 'class="sf-card"' in client.get("/c/fresh-fruit").get_data(as_text=True)


def test_generate_without_a_verified_supplier_says_so(app, reference):
    runner = app.test_cli_runner()
    factories.SupplierFactory(name="未认证的生成测试合作社", status="pending")
    db.session.commit()
    result = runner.invoke(args=["catalog", "generate", "--products", "5"])
    assert result.exit_code != 0
    assert "no verified supplier" in result.output
    assert visible_products(db.session) == 0
