"""Keeping search true to the catalog: per-product sync, the full reindex and the catch-up.

The database is the source of truth. A change to a product (``catalog.product_changed``)
rewrites its SQL-engine row in the job's transaction and pushes its document to
Elasticsearch. When Elasticsearch cannot be reached the push becomes an outbox entry of its
own (``search.sync``), retried with backoff and pulled forward as soon as the server answers
again (:func:`catch_up`), so nothing is lost and the SQL row is never held back.

Elasticsearch holds an alias (``<prefix>-products``) over one concrete index
(``<prefix>-products-<utc timestamp>``). :func:`reindex` scans the database, bulk-loads a new
index, then swaps the alias in one atomic call: searches never see an empty or half-built
index. Products changed while it ran are pushed again after the swap.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from elasticsearch import helpers
from flask import current_app

from search import documents, elastic, engine
from search.models import SearchDocument, SearchGram
from yipin import clock, freshness, outbox
from yipin.db import db
from yipin.outbox.models import OutboxEntry, OutboxStatus

log = logging.getLogger("yipin.search")
SYNC_TOPIC = "search.sync"  # push one product's document to Elasticsearch (retried)
PRODUCT_TOPICS = ("catalog.product_changed", SYNC_TOPIC)


def alias() -> str:
    return f"{current_app.config['ELASTICSEARCH_INDEX_PREFIX']}-products"


def index_name() -> str:
    """The name searches and updates use (an alias over the current index)."""
    return alias()


def analysis() -> str:
    return str(current_app.config.get("SEARCH_CHINESE_ANALYSIS", "ik"))


def create_index(name: str, *, loading: bool = False) -> None:
    # no retry (a retried create finds its own index); the first index of a node may wait
    # for the analysis plugin to load its dictionary
    es = engine.client().options(request_timeout=120, max_retries=0)
    settings = elastic.settings(analysis())
    if loading:  # a bulk load: no refreshes until it is done
        settings = {**settings, "refresh_interval": "-1"}
    es.indices.create(index=name, settings=settings, mappings=elastic.MAPPINGS)


def new_index_name() -> str:
    """``<alias>-<utc time>-<random>`` (real time: a frozen test clock must not repeat it)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    return f"{alias()}-{stamp}-{secrets.token_hex(3)}"


def ensure_index() -> None:
    """Create the first index and its alias when there is none yet."""
    es = engine.client()
    if es.indices.exists_alias(name=alias()):
        return
    if es.indices.exists(index=alias()):  # a plain index of an older version: replace it
        es.indices.delete(index=alias())
    name = new_index_name()
    create_index(name)
    es.indices.put_alias(index=name, name=alias())


# ----------------------------------------------------------------------------- one product


def sync_product(product_id: int) -> None:
    """Rewrite one product's SQL-engine row and its Elasticsearch document (or remove both
    when no consumer may see it any more). Flushes; the job commits."""
    session = db.session
    docs = documents.load(session, [product_id], clock.today_local())
    documents.store(session, [product_id], docs)
    freshness.changed(session, "search")  # cached search pages follow at the job's commit
    if not engine.uses_elasticsearch():
        return
    try:
        _push(product_id, docs[0] if docs else None)
    except Exception as exc:
        if not engine.is_unavailable(exc):
            raise
        log.warning("elasticsearch down: product %s will be pushed later (%s)", product_id, exc)
        outbox.emit(session, SYNC_TOPIC, {"product_id": product_id}, once_per_transaction=True)


def push_product(product_id: int) -> None:
    """The ``search.sync`` job: push one product's current document (raises while
    Elasticsearch is down, so the outbox retries it)."""
    docs = documents.load(db.session, [product_id], clock.today_local())
    _push(product_id, docs[0] if docs else None)
    freshness.changed(db.session, "search")


def _push(product_id: int, doc: documents.ProductDoc | None) -> None:
    es = engine.client()
    ensure_index()
    if doc is None:
        es.options(ignore_status=404).delete(index=alias(), id=str(product_id))
    else:
        es.index(index=alias(), id=str(product_id), document=doc.es_source())


def seed_demo(ctx: Any) -> None:
    """``flask seed demo``: the SQL engine's row of every visible product, in the seed's
    transaction. The ``catalog.product_changed`` entries of the catalog's seed would write them,
    but the orders' seed settles every entry of the seeding transaction as history (marked done
    without running), so the demo's search was empty; an Elasticsearch index (when one is
    configured) is built by ``flask search reindex``."""
    session = ctx.session
    day = clock.today_local()
    ids = documents.indexable_ids(session)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        documents.store(session, chunk, documents.load(session, chunk, day))
    ctx.echo(f"search: {len(ids)} products in the SQL engine's rows")


# ----------------------------------------------------------------------------- reindex


@dataclass
class ReindexReport:
    index: str | None  # the new Elasticsearch index (None on the SQL engine alone)
    documents: int
    removed_rows: int
    replaced: list[str]
    repushed: int


def reindex(
    *,
    batch_size: int = 500,
    progress: Callable[[int], Any] | None = None,
    on_total: Callable[[int], Any] | None = None,
    keep_old: bool = False,
    elasticsearch: bool | None = None,
) -> ReindexReport:
    """Rebuild search from the database: every SQL-engine row and (when configured, unless
    ``elasticsearch=False``) a new Elasticsearch index that replaces the old one through the
    alias. Commits per batch."""
    session = db.session
    started = clock.now()
    day = clock.today_local()
    ids = documents.indexable_ids(session)
    if on_total:
        on_total(len(ids))
    use_es = engine.uses_elasticsearch() if elasticsearch is None else elasticsearch
    es = engine.client() if use_es else None
    name = new_index_name() if use_es else None
    if es is not None and name is not None:
        create_index(name, loading=True)
    count = 0
    try:
        for start in range(0, len(ids), batch_size):
            chunk = ids[start : start + batch_size]
            docs = documents.load(session, chunk, day)
            documents.store(session, chunk, docs)
            if es is not None:
                actions = (
                    {"_index": name, "_id": str(d.product_id), "_source": d.es_source()}
                    for d in docs
                )
                helpers.bulk(es, actions, chunk_size=batch_size, refresh=False)
            session.commit()
            count += len(docs)
            if progress:
                progress(len(chunk))
    except BaseException:
        if es is not None and name is not None:
            es.options(ignore_status=404).indices.delete(index=name)
        raise
    removed = session.execute(
        sa.delete(SearchDocument).where(SearchDocument.product_id.not_in(ids or [0]))
    ).rowcount
    session.execute(sa.delete(SearchGram).where(SearchGram.product_id.not_in(ids or [0])))
    session.commit()
    replaced: list[str] = []
    repushed = 0
    if es is not None and name is not None:
        es.indices.put_settings(index=name, settings={"refresh_interval": None})
        es.indices.refresh(index=name)
        replaced = swap_alias(name, keep_old=keep_old)
        repushed = _repush_changed_since(started)
        catch_up()  # pushes that waited for Elasticsearch: due now (they find it current)
    return ReindexReport(name, count, int(removed or 0), replaced, repushed)


def swap_alias(name: str, *, keep_old: bool = False) -> list[str]:
    """Point the alias at ``name`` in one atomic call; delete the indices it left."""
    es = engine.client()
    old: list[str] = []
    if es.indices.exists_alias(name=alias()):
        old = sorted(es.indices.get_alias(name=alias()))
    elif es.indices.exists(index=alias()):  # a plain index in the alias's place
        es.indices.delete(index=alias())
    actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": alias()}} for i in old]
    actions.append({"add": {"index": name, "alias": alias()}})
    es.indices.update_aliases(actions=actions)
    if not keep_old:
        for index in old:
            if index != name:
                es.options(ignore_status=404).indices.delete(index=index)
    return [i for i in old if i != name]


def _repush_changed_since(started: datetime) -> int:
    """Products whose changes were handled while the reindex ran went to the old index."""
    ids = _changed_product_ids(started)
    for product_id in ids:
        push_product(product_id)
    return len(ids)


def _changed_product_ids(since: datetime) -> list[int]:
    rows = db.session.scalars(
        sa.select(OutboxEntry.payload).where(
            OutboxEntry.topic.in_(PRODUCT_TOPICS),
            sa.or_(OutboxEntry.created_at >= since, OutboxEntry.done_at >= since),
        )
    ).all()
    return sorted({int(p["product_id"]) for p in rows if p and "product_id" in p})


# ----------------------------------------------------------------------------- catch-up


def catch_up() -> int:
    """Elasticsearch answers again: make the pushes that waited for it due now (they ran
    into backoff while it was down). Runs in its own transaction; returns how many."""
    with db.engine.begin() as conn:
        result = conn.execute(
            sa.update(OutboxEntry)
            .where(
                OutboxEntry.topic == SYNC_TOPIC,
                OutboxEntry.status.in_([OutboxStatus.PENDING, OutboxStatus.FAILED]),
            )
            .values(status=OutboxStatus.PENDING, next_attempt_at=clock.now())
        )
    count = int(result.rowcount or 0)
    if count:
        log.warning("elasticsearch is back: %s pending index updates made due", count)
    return count


def pending() -> int:
    """Index updates waiting for Elasticsearch."""
    return int(
        db.session.scalar(
            sa.select(sa.func.count()).where(
                OutboxEntry.topic == SYNC_TOPIC,
                OutboxEntry.status.in_([OutboxStatus.PENDING, OutboxStatus.DISPATCHED]),
            )
        )
        or 0
    )


def status() -> dict[str, Any]:
    """What `flask search status` prints."""
    out: dict[str, Any] = {
        "engine": "elasticsearch" if engine.uses_elasticsearch() else "sql",
        "sql_rows": db.session.scalar(sa.select(sa.func.count()).select_from(SearchDocument)),
        "sql_tokens": db.session.scalar(sa.select(sa.func.count()).select_from(SearchGram)),
        "visible_products": len(documents.indexable_ids(db.session)),
        "pending_pushes": pending(),
    }
    if engine.uses_elasticsearch():
        es = engine.client()
        try:
            indices: Sequence[str] = (
                sorted(es.indices.get_alias(name=alias()))
                if es.indices.exists_alias(name=alias())
                else []
            )
            out["alias"] = alias()
            out["indices"] = list(indices)
            out["documents"] = es.count(index=alias())["count"] if indices else 0
            out["analysis"] = analysis()
        except Exception as exc:  # a status report, never a crash
            out["error"] = str(exc)[:300]
    return out
