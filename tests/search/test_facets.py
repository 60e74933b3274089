"""Facet counts equal the database's own counts, on both engines.

The oracle here reads the catalog with plain ORM loads and counts in Python: which products a
consumer sees this month, and per facet how many of them carry each value (each facet counted
without its own filter). With words typed, the facets must count exactly the results.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from catalog.models import Certification, Product, ProductStatus
from fulfillment.models import Stock
from search import service
from search.request import PRICE_BANDS, SearchRequest
from suppliers.models import BrandAuthorisation, SupplierStatus
from tests.search import corpus
from yipin.db import db


def _band(fen: int) -> str:
    for key, (low, high) in PRICE_BANDS.items():
        if (low is None or fen >= low) and (high is None or fen < high):
            return key
    raise AssertionError(fen)


def _facts(day: date) -> dict[int, dict[str, set[str]]]:
    """Facet values of every product a consumer sees on ``day``."""
    month = day.month
    auths = {
        (a.supplier_id, a.brand_id)
        for a in db.session.scalars(sa.select(BrandAuthorisation))
        if a.revoked_at is None and a.valid_from <= day <= a.valid_to
    }
    stocked = {s.variant_id for s in db.session.scalars(sa.select(Stock)) if s.on_hand > s.reserved}
    certs: dict[int, set[str]] = {}
    for c in db.session.scalars(sa.select(Certification)):
        if c.product_id and c.is_valid_on(day):
            certs.setdefault(c.product_id, set()).add(str(c.kind))
    out = {}
    for p in db.session.scalars(sa.select(Product)).unique():
        variants = [v for v in p.variants if v.is_active]
        shown = month in (p.sale_months or []) or month in (p.presale_months or [])
        if not (
            p.status == ProductStatus.LISTED
            and p.supplier.status == SupplierStatus.VERIFIED
            and variants
            and shown
        ):
            continue
        out[p.id] = {
            "category": {p.category.slug},
            "brand": {p.brand.slug} if p.brand and (p.supplier_id, p.brand_id) in auths else set(),
            "grade": {str(v.grade_id) for v in variants if v.grade_id},
            "county": {p.origin_region_code[:6]},
            "cert": certs.get(p.id, set()),
            "storage": {str(p.storage_class)},
            "price": {_band(min(v.price_fen for v in variants))},
            "season": {"now"} if month in (p.sale_months or []) else set(),
            "stock": {"in"} if any(v.id in stocked for v in variants) else set(),
        }
    return out


def _expected(facts: dict[int, dict[str, set[str]]], request: SearchRequest, ids: Any = None):
    """Counts per facet over ``ids`` (default: every product shown), each facet without its
    own filter."""
    filters = request.filters
    counts = {}
    for facet in ("category", "brand", "grade", "county", "cert", "storage", "price"):
        counter: Counter[str] = Counter()
        for pid, values in facts.items():
            if ids is not None and pid not in ids:
                continue
            if all(v in values[k] for k, v in filters.items() if k != facet):
                counter.update(values[facet])
        counts[facet] = dict(counter)
    for facet in ("season", "stock"):
        n = sum(
            1
            for pid, values in facts.items()
            if (ids is None or pid in ids)
            and values[facet]
            and all(v in values[k] for k, v in filters.items() if k != facet)
        )
        counts[facet] = {"now" if facet == "season" else "in": n}
    return counts


def _got(result: Any) -> dict[str, dict[str, int]]:
    return {f.name: {v.value: v.count for v in f.values if v.count} for f in result.facets}


def _drop_zeros(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {k: {v: n for v, n in vs.items() if n} for k, vs in counts.items()}


REQUESTS = [
    SearchRequest(),
    SearchRequest(brand="gannan-navel-orange"),
    SearchRequest(category="grain-oil", stock=True),
    SearchRequest(cert="green_food", season=True),
    SearchRequest(price="5000-10000", storage="ambient"),
    SearchRequest(county="360734"),
]


def _check(catalog: dict[str, int], using: str | None) -> None:
    facts = _facts(corpus.TODAY)
    for request in REQUESTS:
        result = service.search(db.session, request, corpus.TODAY, using=using)
        assert _got(result) == _drop_zeros(_expected(facts, request)), request
        # the filters select exactly the products the facts say
        wanted = {
            pid
            for pid, values in facts.items()
            if all(v in values[k] for k, v in request.filters.items())
        }
        assert result.total == len(wanted), request
    # with words typed: the facets count exactly the results
    for q in ["赣南", "qc", "茶油 5L"]:
        request = SearchRequest(q=q, per_page=48)
        result = service.search(db.session, request, corpus.TODAY, using=using)
        assert result.total == len(result.ids) > 0
        assert _got(result) == _drop_zeros(_expected(facts, request, set(result.ids))), q


@pytest.mark.both_databases
def test_sql_engine_facet_counts_equal_the_databases(app, catalog):
    _check(catalog, "sql")


def test_elasticsearch_facet_counts_equal_the_databases(app, es, catalog):
    _check(catalog, None)
