"""Elasticsearch stops mid-run: searches fall back to the SQL engine with no error, changes
made meanwhile wait in the outbox, and a reindex brings Elasticsearch back.

This test stops a server, so it runs its own Elasticsearch (``private_es``), started from
the test bed's installed distribution on free ports; the shared one is never touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from catalog import actions
from search import engine, index
from search.index import SYNC_TOPIC
from tests import factories
from tests.conftest import Jobs, _app_with
from tests.search import corpus
from yipin import clock
from yipin.db import commit, db
from yipin.outbox.models import OutboxEntry, OutboxStatus

pytestmark = pytest.mark.stoppable


@pytest.fixture
def private_app(real_config: dict[str, Any], private_es: Any) -> Iterator[Flask]:
    config = {
        **real_config,
        "ELASTICSEARCH_URL": private_es.url,
        "ELASTICSEARCH_INDEX_PREFIX": "yipin-fallback-test",
        "SEARCH_RETRY_SECONDS": 0,  # try Elasticsearch again on every search
        "SEARCH_CHINESE_ANALYSIS": "cjk",  # quicker to start than IK's dictionary
    }
    for app in _app_with(config):
        from catalog.reference import load_reference

        load_reference(db.session)
        db.session.commit()
        clock.freeze(corpus.NOW)
        yield app


def _search(client: Any, q: str) -> dict[str, Any]:
    response = client.get("/api/v1/search", query_string={"q": q})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.json


def test_stopping_elasticsearch_falls_back_and_a_reindex_brings_it_back(private_app, private_es):
    jobs = Jobs(private_app)
    ids = corpus.load()
    commit()
    index.reindex()
    client = private_app.test_client()
    orange, gift = ids["orange-xunwu"], ids["orange-xinfeng-gift"]

    before = _search(client, "赣南脐橙")
    assert before["engine"] == "elasticsearch" and not before["fallback"]
    assert {orange, gift} <= {i["id"] for i in before["items"]}

    assert private_es.stop()
    during = _search(client, "赣南脐橙")  # no error: the SQL engine answers
    assert during["engine"] == "sql" and during["fallback"] is True
    assert {i["id"] for i in during["items"]} == {i["id"] for i in before["items"]}
    page = client.get("/search", query_string={"q": "qicheng"})
    assert page.status_code == 200 and "data-fallback" in page.get_data(as_text=True)
    assert client.get("/api/v1/search/suggest", query_string={"q": "qich"}).status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json["components"]["search"]["serving"] == "sql-fallback"

    # a change while it is down: the SQL engine knows at once, Elasticsearch's push waits
    actions.delist(db.session, factories.operator(), orange, "抽检不合格")
    commit()
    jobs.run()
    waiting = db.session.query(OutboxEntry).filter_by(topic=SYNC_TOPIC).all()
    assert [e.payload["product_id"] for e in waiting] == [orange]
    assert waiting[0].status == OutboxStatus.PENDING and waiting[0].last_error
    assert orange not in {i["id"] for i in _search(client, "赣南脐橙")["items"]}

    private_es.start()
    result = private_app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "products indexed into yipin-fallback-test-products-" in result.output
    after = _search(client, "赣南脐橙")
    assert after["engine"] == "elasticsearch" and not after["fallback"]
    assert orange not in {i["id"] for i in after["items"]} and gift in {
        i["id"] for i in after["items"]
    }
    es = engine.client(private_app)
    assert not es.exists(index=index.alias(), id=str(orange))

    # the push that waited is made due at once (catch-up) and then finds nothing to do
    db.session.expire_all()
    assert waiting[0].next_attempt_at <= clock.now()
    jobs.run()
    assert index.pending() == 0
