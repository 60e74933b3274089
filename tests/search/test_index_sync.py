"""Listing changes reach the real Elasticsearch through the outbox and an RQ worker."""

from __future__ import annotations

from catalog import actions
from search import index
from tests import factories
from yipin.db import commit, db

# the ``es`` fixture (tests/search/conftest.py): the shared server, this process's indices


def test_approved_products_are_indexed_and_delisted_ones_removed(app, reference, jobs, es):
    owner = factories.supplier_staff(owner=True)
    operator = factories.operator()
    product = factories.ProductFactory(
        supplier=owner.supplier, status="draft", name="寻乌蜜桔 现摘"
    )
    factories.VariantFactory(product=product, price_fen=2990)
    commit()
    actions.submit_for_review(db.session, owner, product.id)
    actions.approve(db.session, operator, product.id)
    commit()
    jobs.run()
    es.indices.refresh(index=index.index_name())
    doc = es.get(index=index.index_name(), id=str(product.id))["_source"]
    assert doc["name"] == "寻乌蜜桔 现摘" and doc["min_price_fen"] == 2990
    assert doc["county"] == owner.supplier.region_code[:6]

    actions.delist(db.session, operator, product.id, "抽检不合格")
    commit()
    jobs.run()
    assert not es.exists(index=index.index_name(), id=str(product.id))


def test_a_suspended_suppliers_products_leave_the_index(app, reference, jobs, es):
    product = factories.ProductFactory(status="listed")
    factories.VariantFactory(product=product)
    db.session.commit()
    index.sync_product(product.id)
    es.indices.refresh(index=index.index_name())
    assert es.exists(index=index.index_name(), id=str(product.id))
    product.supplier.status = "suspended"
    db.session.commit()
    index.sync_product(product.id)
    assert not es.exists(index=index.index_name(), id=str(product.id))
