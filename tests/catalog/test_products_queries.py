"""Query-count pins: the supplier's product list, the review queue, the review page and the
API list issue as many SQL statements for 20 products as for 2 (no N+1)."""

from __future__ import annotations

import uuid

import pytest

from catalog.models import ListingReview, ProductImage, ProductStatus, ReviewEvent
from tests import factories
from tests.catalog import products_support as support
from yipin import clock
from yipin.db import db
from yipin.media.models import Image, ImagePurpose


def make_products(supplier, n: int, status: ProductStatus, start: int = 0) -> list:
    """``n`` products with 3 variants (graded) and 2 pictures each, plus brand and reviews."""
    products = []
    for i in range(start, start + n):
        product = factories.ProductFactory(
            supplier=supplier,
            name=f"赣南脐橙 {i}号",
            status=status,
            brand_id=factories.brand().id,
            submitted_at=clock.now(),
        )
        for k in range(3):
            factories.VariantFactory(product=product, sku=f"Q-{i}-{k}")
        for k in range(2):
            key = uuid.uuid4().hex
            image = Image(
                supplier_id=supplier.id,
                purpose=ImagePurpose.PRODUCT,
                storage_key=f"{key[:2]}/{key}",
                original_format="JPEG",
                width=800,
                height=800,
                byte_size=1000,
                sha256=key + key,
                renditions={"thumb": {"file": "thumb.webp", "width": 240, "height": 240}},
            )
            db.session.add(image)
            db.session.flush()
            db.session.add(ProductImage(product_id=product.id, image_id=image.id, position=k))
        db.session.add(
            ListingReview(
                product_id=product.id,
                event=ReviewEvent.SUBMITTED,
                revision=1,
                at=clock.now(),
                snapshot=None,
            )
        )
        products.append(product)
    db.session.flush()
    return products


@pytest.fixture
def supplier_and_owner(app, reference):
    supplier, owner = support.supplier_with_owner()
    factories.authorise(supplier)
    db.session.commit()
    return supplier, owner


def count_get(client, count_queries, url: str) -> int:
    client.get(url)  # warm up (login, caches)
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return queries.count


def test_the_supplier_product_list_does_not_grow_with_the_page(
    supplier_and_owner, login_as, count_queries
):
    supplier, owner = supplier_and_owner
    make_products(supplier, 2, ProductStatus.LISTED)
    db.session.commit()
    client = login_as(owner)
    few = count_get(client, count_queries, "/supplier/catalog/products")
    make_products(supplier, 18, ProductStatus.DRAFT, start=2)
    db.session.commit()
    many = count_get(client, count_queries, "/supplier/catalog/products")
    page = client.get("/supplier/catalog/products").get_data(as_text=True)
    assert page.count('class="prow"') == 20
    assert many == few, f"{few} statements for 2 products, {many} for 20"
    assert few <= 12


def test_the_review_queue_does_not_grow_with_the_page(supplier_and_owner, login_as, count_queries):
    supplier, _owner = supplier_and_owner
    operator = factories.operator()
    make_products(supplier, 2, ProductStatus.PENDING_REVIEW)
    db.session.commit()
    client = login_as(operator)
    few = count_get(client, count_queries, "/console/listings")
    other, _ = support.supplier_with_owner()
    make_products(other, 18, ProductStatus.PENDING_REVIEW, start=2)
    db.session.commit()
    many = count_get(client, count_queries, "/console/listings")
    assert client.get("/console/listings").get_data(as_text=True).count('class="prow"') == 20
    assert many == few, f"{few} statements for 2 products, {many} for 20"


def test_the_api_list_does_not_grow_with_the_page(supplier_and_owner, login_as, count_queries):
    supplier, owner = supplier_and_owner
    make_products(supplier, 2, ProductStatus.LISTED)
    db.session.commit()
    client = login_as(owner)
    few = count_get(client, count_queries, "/api/v1/products?page_size=50")
    make_products(supplier, 18, ProductStatus.LISTED, start=2)
    db.session.commit()
    many = count_get(client, count_queries, "/api/v1/products?page_size=50")
    assert len(client.get("/api/v1/products?page_size=50").get_json()) == 20
    assert many == few, f"{few} statements for 2 products, {many} for 20"


def test_the_review_page_does_not_grow_with_variants_and_pictures(
    supplier_and_owner, login_as, count_queries
):
    supplier, _owner = supplier_and_owner
    operator = factories.operator()
    small, big = make_products(supplier, 2, ProductStatus.PENDING_REVIEW)
    for k in range(12):
        factories.VariantFactory(product=big, sku=f"BIG-{k}")
    db.session.commit()
    client = login_as(operator)
    few = count_get(client, count_queries, f"/console/listings/{small.id}")
    many = count_get(client, count_queries, f"/console/listings/{big.id}")
    assert many == few, f"{few} statements for 3 variants, {many} for 15"
