"""The SQL engine's sorts and pages, on both databases: every order the page offers equals the
one worked out from the catalog in Python, and the pages cut it without gaps or repeats.

The engine sorts and pages in Python over one statement's rows (``search.fallback``); the
oracle here reads the products with the ORM.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalog.models import Product
from search import service
from search.request import SearchRequest
from tests.search import corpus
from tests.search.test_facets import _facts
from yipin.db import db


def _oracle(sort: str) -> list[int]:
    shown = _facts(corpus.TODAY)
    products = [p for p in db.session.scalars(sa.select(Product)).unique() if p.id in shown]
    price = {p.id: min(v.price_fen for v in p.variants if v.is_active) for p in products}
    newest = {p.id: p.listed_at or p.created_at for p in products}
    ids = sorted(price, reverse=True)  # ties: the newer id first (each sort below is stable)
    if sort == "price_asc":
        return sorted(ids, key=lambda i: price[i])
    if sort == "price_desc":
        return sorted(ids, key=lambda i: price[i], reverse=True)
    return sorted(ids, key=lambda i: newest[i], reverse=True)  # "new", and browsing


@pytest.mark.both_databases
@pytest.mark.parametrize("sort", ["price_asc", "price_desc", "new", "relevance"])
def test_sql_engine_sorts_and_pages_like_the_catalog(app, catalog, sort):
    expected = _oracle(sort)
    pages: list[int] = []
    page = 1
    while True:
        request = SearchRequest(sort=sort, page=page, per_page=7)
        result = service.search(db.session, request, corpus.TODAY, using="sql")
        assert result.total == len(expected)
        pages += result.ids
        if page >= result.pages:
            break
        page += 1
    assert pages == expected


@pytest.mark.both_databases
def test_sql_engine_ranks_words_then_sales_then_newer(app, catalog):
    """With words typed: by score, ties by sales, then the newer id; filters keep that order."""
    full = service.search(
        db.session, SearchRequest(q="赣南", per_page=48), corpus.TODAY, using="sql"
    )
    scores = [h.score for h in full.hits]
    assert scores == sorted(scores, reverse=True) and len(full.ids) == full.total > 5
    stocked = service.search(
        db.session, SearchRequest(q="赣南", stock=True, per_page=48), corpus.TODAY, using="sql"
    )
    assert stocked.ids == [i for i in full.ids if i in set(stocked.ids)]
    assert 0 < stocked.total < full.total
