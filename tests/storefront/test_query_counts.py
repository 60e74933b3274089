"""The home, category and product pages issue a fixed number of SQL statements, however many
products they show (an N+1 fails here rather than slowing the site down)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
import sqlalchemy as sa

from catalog.models import Product, StorageClass
from tests import factories
from tests.storefront.conftest import authorised_supplier, orange
from yipin.db import db

SERIAL = itertools.count(1)
HOME = 5  # categories, brands, in-season ids, featured ids, cards (products with their brand,
#           first picture, variants with grades and badge certificates: one statement)
CATEGORY = 5  # categories, brand facet, county facet, count, cards (1 statement)
PRODUCT = 7  # product (+ category, origin, supplier, brand shown, standard joined), variants
#              with grades, pictures, certificates (product's and supplier's), batches +
#              inspections of those shown (2), related cards (1)


def catalogue(products: int) -> None:
    """``products`` listed oranges over a few suppliers: each with two graded variants, a
    picture, a certificate and a batch (so every eager load has rows to fetch)."""
    suppliers = [authorised_supplier(name=f"寻乌县计数合作社{next(SERIAL)}") for _ in range(3)]
    for n in range(products):
        supplier = suppliers[n % len(suppliers)]
        product = orange(
            supplier,
            storage_class=StorageClass.CHILLED if n % 2 else StorageClass.AMBIENT,
        )
        factories.CertificationFactory(
            supplier=supplier, product_id=product.id, valid_to=date(2028, 12, 31)
        )
        factories.BatchFactory(variant=product.variants[0], supplier_id=supplier.id)
    db.session.commit()


def statements_for(client, count_queries, url: str) -> int:
    client.get(url)  # warm up (templates compiled, nothing cached in the database)
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return queries.count


@pytest.mark.both_databases
def test_home_page_query_count_is_pinned(client, reference, november, count_queries):
    catalogue(3)
    few = statements_for(client, count_queries, "/")
    catalogue(21)
    many = statements_for(client, count_queries, "/")
    assert few == many == HOME


@pytest.mark.both_databases
def test_category_page_query_count_does_not_grow_with_products(
    client, reference, november, count_queries
):
    catalogue(3)
    few = statements_for(client, count_queries, "/c/fresh-fruit")
    catalogue(21)  # 24 in all: one full page
    html = client.get("/c/fresh-fruit").get_data(as_text=True)
    assert html.count('class="sf-card"') == 24
    many = statements_for(client, count_queries, "/c/fresh-fruit")
    assert few == many == CATEGORY
    filtered = statements_for(
        client,
        count_queries,
        "/c/fresh-fruit?brand=gannan-navel-orange&storage=chilled&season=now&sort=price_asc",
    )
    assert filtered == CATEGORY


@pytest.mark.both_databases
def test_product_page_query_count_is_pinned(client, reference, november, count_queries):
    catalogue(6)  # the first product has a sibling at its supplier: "more from this supplier"
    first = db.session.scalars(sa.select(Product).order_by(Product.id)).first()
    assert first is not None
    few = statements_for(client, count_queries, f"/p/{first.id}")
    catalogue(12)  # more related products, variants and batches
    many = statements_for(client, count_queries, f"/p/{first.id}")
    assert few == many == PRODUCT
