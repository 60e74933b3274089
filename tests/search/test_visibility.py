"""What consumers may find, and how fast it changes: a delisted product vanishes at once, from
the results before the index hears of it and from the index when the job has run."""

from __future__ import annotations

import pytest

from catalog import actions
from search import index, service
from search.models import SearchDocument
from search.request import SearchRequest
from tests import factories
from tests.search import corpus
from yipin.db import commit, db


def _ids(q: str, using: str | None = None) -> list[int]:
    result = service.search(db.session, SearchRequest(q=q), corpus.TODAY, using=using)
    return result.ids


def test_a_delisted_product_vanishes_at_once_from_elasticsearch_results(app, es, catalog, jobs):
    orange = catalog["orange-xunwu"]
    assert orange in _ids("赣南脐橙 寻乌")
    assert es.exists(index=index.alias(), id=str(orange))

    actions.delist(db.session, factories.operator(), orange, "抽检不合格")
    commit()
    # before any job ran: the index still has it, the results do not
    assert es.exists(index=index.alias(), id=str(orange))
    assert orange not in _ids("赣南脐橙 寻乌")
    assert orange not in _ids("qicheng")

    jobs.run()
    es.indices.refresh(index=index.alias())
    assert not es.exists(index=index.alias(), id=str(orange))
    assert db.session.get(SearchDocument, orange) is None
    assert orange not in _ids("赣南脐橙 寻乌")
    assert catalog["orange-xinfeng-gift"] in _ids("赣南脐橙")


@pytest.mark.both_databases
def test_a_delisted_product_vanishes_at_once_from_the_sql_engine(app, catalog):
    orange = catalog["orange-xunwu"]
    assert orange in _ids("寻乌 脐橙", "sql")
    actions.delist(db.session, factories.operator(), orange, "抽检不合格")
    commit()
    assert orange not in _ids("寻乌 脐橙", "sql")
    assert orange not in _ids("gnqc", "sql")


def test_the_embedded_app_searches_on_sqlite_without_elasticsearch(embedded_catalog):
    result = service.search(db.session, SearchRequest(q="qicheng"), corpus.TODAY)
    assert result.engine == "sql" and not result.fallback
    assert embedded_catalog["orange-xunwu"] in result.ids
