"""Print the relevance score of product search on both engines (figures only, no assertions).

The relevance set is tests/search/corpus.py: ~45 queries (Chinese words, phrases with spaces,
pinyin, initials, synonyms, typos, Chinese with quantities) over a fixed Ganzhou catalog, each
with the products that belong in the top 3. Printed per engine: hit rate (an expected product
in the top 3 — the test's floor), precision of the top 3, mean reciprocal rank, and the
queries that missed. With Elasticsearch, each Chinese analysis is scored (ik, smartcn, cjk).

    .venv/bin/python bench/search_relevance.py                      # SQL engine on SQLite
    YIPIN_BENCH_ELASTICSEARCH_URL=http://127.0.0.1:59200 \\
        .venv/bin/python bench/search_relevance.py [--analysis ik,smartcn,cjk]
    YIPIN_BENCH_DATABASE_URL=postgresql+psycopg://… (the SQL engine on PostgreSQL instead)

The database must be one you may write to: it is migrated, emptied of products and loaded
with the corpus (a temporary SQLite file by default). Indices are named ``yipin-bench-*``
and deleted afterwards.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build(database_url: str, es_url: str | None, analysis: str) -> object:
    os.environ.setdefault("YIPIN_INSTANCE_PATH", tempfile.mkdtemp(prefix="yipin-bench-"))
    from wsgi import create_app

    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "ELASTICSEARCH_URL": es_url,
        "ELASTICSEARCH_INDEX_PREFIX": f"yipin-bench-{analysis}",
        "SEARCH_CHINESE_ANALYSIS": analysis,
    }
    return create_app(config)


def prepare(app: object) -> dict[str, int]:
    """Schema, regions, reference data and the corpus (products of earlier runs removed)."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from catalog.reference import load_reference
    from tests.search import corpus
    from yipin import clock
    from yipin.db import db
    from yipin.regions.loader import load_regions

    upgrade(revision="heads")
    if not db.session.scalar(sa.text("SELECT count(*) FROM regions")):
        load_regions(db.session)
    tables = [t for t in db.metadata.sorted_tables if t.name not in {"regions", "alembic_version"}]
    for table in reversed(tables):
        db.session.execute(table.delete())
    db.session.commit()
    load_reference(db.session)
    db.session.commit()
    clock.freeze(corpus.NOW)
    ids = corpus.load()
    db.session.commit()
    return ids


def report(label: str, score: object) -> None:
    from tests.search import corpus

    print(
        f"{label:28} hit rate (top 3) {score.hit_rate:6.1%}   precision@3 {score.precision:6.1%}"
        f"   MRR {score.mrr:.3f}   ({len(corpus.RELEVANCE)} queries, floor {corpus.FLOOR:.0%})"
    )
    for case, top in score.failures:
        print(f"{'':28} missed [{case.kind}] {case.query!r}: top 3 {top}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--analysis", default="ik,smartcn,cjk")
    args = parser.parse_args()
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
    database = os.environ.get("YIPIN_BENCH_DATABASE_URL") or (
        f"sqlite:///{tempfile.mkdtemp(prefix='yipin-bench-')}/bench.sqlite3"
    )
    es_url = os.environ.get("YIPIN_BENCH_ELASTICSEARCH_URL")
    from tests.search import corpus

    app = build(database, None, "ik")
    with app.app_context():
        from search import index, service
        from search.request import SearchRequest
        from yipin.db import db

        ids = prepare(app)
        index.reindex(elasticsearch=False)
        dialect = db.engine.dialect.name

        def sql(q: str) -> list[int]:
            return service.search(db.session, SearchRequest(q=q), corpus.TODAY, using="sql").ids

        report(f"sql engine ({dialect})", corpus.score(sql, ids))
    if not es_url:
        print("(set YIPIN_BENCH_ELASTICSEARCH_URL to score Elasticsearch too)")
        return 0
    for analysis in args.analysis.split(","):
        app = build(database, es_url, analysis)
        with app.app_context():
            from search import engine, index, service
            from search.request import SearchRequest
            from yipin import clock
            from yipin.db import db

            clock.freeze(corpus.NOW)
            report_ = index.reindex()
            try:

                def es(q: str) -> list[int]:
                    result = service.search(db.session, SearchRequest(q=q), corpus.TODAY)
                    assert result.engine == "elasticsearch", "Elasticsearch did not answer"
                    return result.ids

                report(f"elasticsearch ({analysis})", corpus.score(es, ids))
            finally:
                if report_.index:
                    engine.client().indices.delete(index=report_.index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
