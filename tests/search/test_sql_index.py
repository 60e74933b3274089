"""The SQL engine's inverted index (``search_grams``), on both databases: a query reads the
rows holding its tokens instead of scanning every row, and finds exactly what the scan finds —
the same hits, scores, order, facets and counts — for every kind of word (two-character Chinese
words, single characters, synonyms, homophones, pinyin and its prefixes while typing, initials,
quantities, Latin words, several words, and nothing at all); the tokens follow the rows when a
product changes, and a reindex rebuilds them.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalog import actions
from catalog.models import Product
from search import fallback, grams, index, matching
from search.models import SearchDocument, SearchGram
from search.request import SearchRequest
from tests import factories
from tests.search import corpus
from yipin.db import commit, db

QUERIES = [
    "脐橙",
    "橙",
    "橙子",
    "赣南脐橙",
    "赣南橙",
    "寻乌 脐橙",
    "脐澄",
    "qicheng",
    "qi cheng",
    "qic",
    "q",
    "gnqc",
    "qc",
    "茶油 5L",
    "5L",
    "10斤",
    "南安板鸭",
    "naby",
    "蜜柚 礼盒",
    "脐橙 不存在",
    "xyzzy",
    "5",
]


def _outcome(q: str, prefix: bool, **filters: object) -> tuple[object, ...]:
    result = fallback.search(db.session, SearchRequest(q=q, **filters), corpus.TODAY, prefix=prefix)
    facets = [(f.name, [(v.value, v.count) for v in f.values]) for f in result.facets]
    return result.total, [(h.product_id, h.score) for h in result.hits], result.relaxed, facets


@pytest.mark.both_databases
def test_the_index_finds_what_scanning_every_row_finds(app, catalog, monkeypatch):
    asks = [(q, prefix, {}) for q in QUERIES for prefix in (False, True)]
    asks += [("脐橙", False, {"sort": sort}) for sort in ("sales", "price_asc", "new")]
    asks += [("脐橙", False, {"stock": True}), ("橙子", False, {"season": True})]
    fallback._search_statement.cache_clear()
    indexed = [_outcome(q, prefix, **f) for q, prefix, f in asks]
    assert any(total for total, *_ in indexed)
    fallback._search_statement.cache_clear()
    monkeypatch.setattr(matching, "_holding", lambda tokens: sa.true())
    scanned = [_outcome(q, prefix, **f) for q, prefix, f in asks]
    fallback._search_statement.cache_clear()
    for ask, mine, theirs in zip(asks, indexed, scanned, strict=True):
        assert mine == theirs, ask


@pytest.mark.both_databases
def test_the_tokens_follow_the_row_and_a_reindex_rebuilds_them(app, catalog):
    orange = db.session.get(Product, catalog["orange-xunwu"])
    assert orange is not None
    orange.name = "寻乌蜜柑王 现摘"  # a direct edit: the sync the outbox would run, run here
    commit()
    index.sync_product(orange.id)
    commit()
    assert orange.id in _found("柑王") and orange.id in _found("mi gan wang")
    assert _tokens_agree()
    db.session.execute(sa.delete(SearchGram))
    commit()
    assert _found("柑王") == set()  # no tokens, no matches: the index is what is read
    index.reindex(elasticsearch=False)
    assert _tokens_agree() and orange.id in _found("柑王")
    # a product no consumer may see has neither a row nor tokens
    actions.delist(db.session, factories.operator(), orange.id, "抽检不合格")
    commit()
    index.sync_product(orange.id)
    commit()
    held = sa.select(SearchGram.product_id).where(SearchGram.product_id == orange.id)
    assert list(db.session.scalars(held)) == []


def _found(q: str) -> set[int]:
    return set(fallback.search(db.session, SearchRequest(q=q), corpus.TODAY).ids)


def _tokens_agree() -> bool:
    """Every row's tokens are exactly what the tokenizer makes of it."""
    wanted = set()
    for row in db.session.scalars(sa.select(SearchDocument)):
        values = {c: getattr(row, c) for c in grams.FIELDS}
        wanted |= {(g, row.product_id) for g in grams.document_grams(values)}
    held = set(db.session.execute(sa.select(SearchGram.gram, SearchGram.product_id)).tuples())
    return held == wanted
