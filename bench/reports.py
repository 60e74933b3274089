"""Benchmark: a year's sales report over millions of ledger rows, next to the raw SQL aggregate
over the same rows, on PostgreSQL.

    .venv/bin/python bench/reports.py --generate [--rows 10000000] [--year 2026]
    .venv/bin/python bench/reports.py            # time again on the data already there

``--generate`` rebuilds the schema and writes the data: 180 suppliers over Ganzhou's 18 counties
with their products, 500 consumers and 2,000 orders (the rows the ledger points at), then
``--rows`` sales-ledger rows spread over the year (about 6 % reversals; buyer types, 上行 and
brands mixed), inserted by ``INSERT … SELECT … generate_series`` in batches of a million, then
the daily rollups rebuilt day by day through ``reports.rollups`` (what the outbox handler runs).

Then it times, each the median of five runs after one warm-up:
- the report: what ``/bureau/sales`` computes for a city bureau account and the whole year
  (the table by county, the monthly series, every KPI with the year before), through the app;
- the same report through ``GET /api/v1/reports/sales`` (test client, bearer token);
- the raw aggregate: ``SELECT supplier_county_code, sum(…) FROM sales_ledger WHERE occurred_at
  in the year GROUP BY 1`` — the one query the report would need without rollups.

The database is ``YIPIN_BENCH_DATABASE_URL``, or the test bed's PostgreSQL (``.testbed/env``)
under the name ``<test database>_<namespace>_reports`` (``yipin_test_h4_reports``).
Figures only, no assertions.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.checkout import bench_database_url  # noqa: E402

GANZHOU_COUNTIES = [
    "360702", "360703", "360704", "360722", "360723", "360724", "360725", "360726", "360728",
    "360729", "360730", "360731", "360732", "360733", "360734", "360735", "360781", "360783",
]  # fmt: skip
BATCH = 1_000_000


def database_url() -> str:
    return bench_database_url("reports")


def make_app(url: str) -> Any:
    import wsgi

    os.environ.setdefault("YIPIN_INSTANCE_PATH", tempfile.mkdtemp(prefix="yipin-bench-"))
    return wsgi.create_app({"DATABASE_URL": url, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024})


def generate(url: str, rows: int, year: int) -> None:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from catalog.models import Category, RegionalBrand
    from orders.models import BuyerType
    from reports import policies, rollups
    from tests import factories as f
    from yipin.db import db
    from yipin.regions.loader import load_regions
    from yipin.seed.reference import run as reference

    name = sa.engine.make_url(url).database
    admin = sa.create_engine(
        sa.engine.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    app = make_app(url)
    started = time.perf_counter()
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        load_regions(db.session)
        reference(lambda _line: None)
        policies.load(db.session)
        categories = list(db.session.scalars(sa.select(Category.id)))
        brands = list(db.session.scalars(sa.select(RegionalBrand.id)))
        variants = []
        for i in range(180):
            county = GANZHOU_COUNTIES[i % len(GANZHOU_COUNTIES)]
            supplier = f.SupplierFactory(
                name=f"压测供应商{i:03d}", region_code=county, uscc=f.make_uscc(county, "91")
            )
            variants.append(
                f.VariantFactory(
                    product=f.ProductFactory(
                        supplier=supplier,
                        name=f"压测商品{i:03d}",
                        category_id=categories[i % len(categories)],
                        brand_id=brands[i % len(brands)] if i % 3 == 0 else None,
                        origin_region_code=county,
                    ),
                    sku=f"BENCH-{i:03d}",
                    price_fen=1000 + i,
                )
            )
        consumers = [f.consumer(display_name=f"压测买家{i}") for i in range(500)]
        db.session.flush()
        for i in range(2000):
            f.paid_order(consumers[i % len(consumers)], [(variants[i % len(variants)], 1, None)])
        db.session.commit()
        print(f"reference, suppliers, consumers, orders: {time.perf_counter() - started:.1f} s")

        # one row per order line the ledger will point at, with the facts it copies
        db.session.execute(
            sa.text(
                """
                CREATE TEMP TABLE bench_lines AS
                SELECT row_number() OVER (ORDER BY l.id) - 1 AS idx, o.id AS order_id,
                       s.id AS sub_order_id, l.id AS line_id, s.supplier_id,
                       substr(sp.region_code, 1, 6) AS county, p.origin_region_code AS origin,
                       p.id AS product_id, v.id AS variant_id, p.category_id, p.brand_id
                FROM order_lines l JOIN sub_orders s ON s.id = l.sub_order_id
                JOIN orders o ON o.id = s.order_id JOIN variants v ON v.id = l.variant_id
                JOIN products p ON p.id = v.product_id JOIN suppliers sp ON sp.id = s.supplier_id
                """
            )
        )
        lines = db.session.scalar(sa.text("SELECT count(*) FROM bench_lines"))
        start = datetime(year, 1, 1, tzinfo=UTC) - timedelta(hours=8)
        seconds = 365 * 86400
        types = [str(t) for t in BuyerType]
        # a bulk load: the ledger's foreign keys and secondary indexes are dropped for the
        # insert and made again afterwards (each row would otherwise cost ~20 index look-ups)
        saved = db.session.execute(
            sa.text(
                """
                SELECT 'ALTER TABLE sales_ledger ADD CONSTRAINT ' || quote_ident(conname) || ' '
                       || pg_get_constraintdef(oid), 'ALTER TABLE sales_ledger DROP CONSTRAINT '
                       || quote_ident(conname)
                FROM pg_constraint WHERE conrelid = 'sales_ledger'::regclass AND contype = 'f'
                UNION ALL
                SELECT indexdef, 'DROP INDEX ' || quote_ident(indexname) FROM pg_indexes
                WHERE tablename = 'sales_ledger' AND indexname <> 'pk_sales_ledger'
                """
            )
        ).all()
        for _create, drop in saved:
            db.session.execute(sa.text(drop))
        db.session.commit()
        done = 0
        while done < rows:
            n = min(BATCH, rows - done)
            t0 = time.perf_counter()
            db.session.execute(
                sa.text(
                    f"""
                    INSERT INTO sales_ledger (kind, order_id, sub_order_id, order_line_id,
                        supplier_id, supplier_county_code, origin_region_code, origin_county_code,
                        origin_township_code, product_id, variant_id, category_id, brand_id,
                        buyer_type, buyer_type_basis, destination_region_code,
                        destination_province_code, platform_region_code, is_upward, quantity,
                        amount_fen, occurred_at, recorded_at)
                    SELECT CASE WHEN g % 17 = 0 THEN 'reversal' ELSE 'sale' END,
                        b.order_id, b.sub_order_id, b.line_id, b.supplier_id, b.county,
                        b.origin, b.county, NULL, b.product_id, b.variant_id, b.category_id,
                        b.brand_id,
                        (ARRAY{types!r})[1 + (g * 7919 % 100) / 60 + (g * 7919 % 100) / 85
                                         + (g * 7919 % 100) / 93 + (g * 7919 % 100) / 97],
                        'none',
                        CASE WHEN g % 5 = 0 THEN '360702' ELSE '110105' END,
                        CASE WHEN g % 5 = 0 THEN '36' ELSE '11' END,
                        '3607', g % 5 <> 0,
                        CASE WHEN g % 17 = 0 THEN 0 ELSE 1 + g % 3 END,
                        CASE WHEN g % 17 = 0 THEN -(500 + g % 2000) ELSE 1000 + g % 49000 END,
                        :start + make_interval(secs => (g::bigint * :seconds / :rows)),
                        now()
                    FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS g
                    JOIN bench_lines b ON b.idx = g % :lines
                    """
                ),
                {
                    "start": start,
                    "seconds": seconds,
                    "rows": rows,
                    "first": done,
                    "last": done + n - 1,
                    "lines": lines,
                },
            )
            db.session.commit()
            done += n
            print(f"ledger rows {done:,} ({time.perf_counter() - t0:.1f} s for this batch)")
        t0 = time.perf_counter()
        for create, _drop in saved:
            db.session.execute(sa.text(create))
            db.session.commit()
        db.session.execute(sa.text("ANALYZE sales_ledger"))
        db.session.commit()
        print(f"indexes and foreign keys made again: {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        days = rollups.ledger_days(db.session)
        for day in days:
            rollups.rebuild_day(db.session, day)
            db.session.commit()
        print(f"rollups of {len(days)} days rebuilt: {time.perf_counter() - t0:.1f} s")
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()
    print(f"generated in {time.perf_counter() - started:.0f} s")


def _median(fn: Any, runs: int = 5) -> tuple[float, Any]:
    result = fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def measure(url: str, year: int) -> None:
    import sqlalchemy as sa
    from werkzeug.datastructures import MultiDict

    from reports import service
    from tests import factories as f
    from yipin.accounts.actions import issue_api_token
    from yipin.db import db

    app = make_app(url)
    with app.app_context():
        ledger = db.session.scalar(sa.text("SELECT count(*) FROM sales_ledger"))
        rollup_rows = db.session.scalar(sa.text("SELECT count(*) FROM report_daily_sales"))
        bureau = f.bureau(display_name="压测商务局")
        db.session.commit()
        args = MultiDict({"start": f"{year}-01-01", "end": f"{year}-12-31", "grain": "month"})

        def report() -> Any:
            page = service.sales_page(db.session, bureau, args)
            db.session.rollback()
            return page

        took, page = _median(report)
        lo = datetime(year, 1, 1, tzinfo=UTC) - timedelta(hours=8)
        hi = datetime(year + 1, 1, 1, tzinfo=UTC) - timedelta(hours=8)
        raw_sql = sa.text(
            """
            SELECT supplier_county_code,
                   sum(CASE WHEN kind = 'sale' THEN amount_fen ELSE 0 END),
                   sum(CASE WHEN kind = 'reversal' THEN -amount_fen ELSE 0 END),
                   sum(CASE WHEN is_upward THEN amount_fen ELSE 0 END),
                   sum(quantity)
            FROM sales_ledger WHERE occurred_at >= :lo AND occurred_at < :hi
            GROUP BY supplier_county_code
            """
        )

        def raw() -> Any:
            rows = db.session.execute(raw_sql, {"lo": lo, "hi": hi}).all()
            db.session.rollback()
            return rows

        raw_took, raw_rows = _median(raw, runs=3)
        raw_net = sum(int(r[1]) - int(r[2]) for r in raw_rows)
        _row, token = issue_api_token(db.session, bureau, "bench")
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def api() -> Any:
        return client.get(
            f"/api/v1/reports/sales?start={year}-01-01&end={year}-12-31&grain=month",
            headers=headers,
        )

    response = api()
    http_took = _median(api)[0] if response.status_code == 200 else None
    print(f"ledger rows: {ledger:,}; rollup rows: {rollup_rows:,}")
    print(
        f"year report (table by county + monthly series + KPIs vs {year - 1}): {took * 1000:.0f} ms"
    )
    if http_took is not None:
        print(f"GET /api/v1/reports/sales (JSON, test client): {http_took * 1000:.0f} ms")
    else:
        print(f"GET /api/v1/reports/sales: answered {response.status_code}")
    print(f"raw SQL aggregate over the same ledger rows (by county): {raw_took * 1000:.0f} ms")
    same = page.report.total.net_fen == raw_net
    print(
        f"net sales: report {page.report.total.net_fen:,} fen, raw SQL {raw_net:,} fen: "
        + ("equal" if same else "DIFFERENT")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generate", action="store_true", help="(re)build the data first")
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--year", type=int, default=2026)
    args = parser.parse_args()
    url = database_url()
    print(f"database: {url.rsplit('@', 1)[-1]}")
    if args.generate:
        generate(url, args.rows, args.year)
    measure(url, args.year)


if __name__ == "__main__":
    main()
