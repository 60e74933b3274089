"""The relevance set (tests/search/corpus.py): at least 40 queries a consumer types — Chinese
words, phrases with spaces, pinyin, initials, synonyms, typos, Chinese with quantities — each
with the products that belong in the top 3, on both engines. ``bench/search_relevance.py``
prints the same scores."""

from __future__ import annotations

import pytest

from search import service
from search.request import SearchRequest
from tests.search import corpus
from yipin.db import db


def _engine_search(using: str | None):
    def run(q: str) -> list[int]:
        result = service.search(db.session, SearchRequest(q=q), corpus.TODAY, using=using)
        assert result.engine == ("sql" if using == "sql" else "elasticsearch")
        return result.ids

    return run


def _report(score: corpus.Score) -> str:
    return "\n".join(f"{c.kind} {c.query!r}: top 3 {top}" for c, top in score.failures)


def test_the_relevance_set_has_forty_queries_of_every_kind():
    kinds = {c.kind for c in corpus.RELEVANCE}
    assert len(corpus.RELEVANCE) >= 40
    assert kinds == {"chinese", "phrase", "pinyin", "initials", "synonym", "typo", "quantity"}


def test_relevance_on_elasticsearch(app, es, catalog):
    score = corpus.score(_engine_search(None), catalog)
    assert score.hit_rate >= corpus.FLOOR, _report(score)


@pytest.mark.both_databases
def test_relevance_on_the_sql_engine(app, catalog):
    score = corpus.score(_engine_search("sql"), catalog)
    assert score.hit_rate >= corpus.FLOOR, _report(score)


@pytest.mark.parametrize("using", ["sql", None])
def test_products_no_consumer_may_see_are_never_found(app, catalog, using, request):
    if using is None:
        request.getfixturevalue("es")
        from search import index

        index.reindex()
    hidden = {catalog[k] for k in corpus.HIDDEN}
    for q in ["脐橙", "赣南脐橙 寻乌", "石城白莲", "鹰嘴桃", "", "qc"]:
        result = service.search(
            db.session, SearchRequest(q=q, per_page=48), corpus.TODAY, using=using
        )
        assert not hidden & set(result.ids), q
    # on pre-sale this month: found, and not "in season now"
    presale = service.search(
        db.session, SearchRequest(q="上犹绿茶 预订"), corpus.TODAY, using=using
    )
    assert catalog["tea-presale"] in presale.ids
    season = service.search(
        db.session, SearchRequest(q="上犹绿茶", season=True), corpus.TODAY, using=using
    )
    assert catalog["tea-presale"] not in season.ids and catalog["tea-daily"] in season.ids
