"""Benchmark: server time of one uncached storefront page, in-process, per page.

    .venv/bin/python bench/render.py [--database sqlite|postgresql|both] [--products N]
        [--requests 200] [--profile PAGE] [--trips PAGE] [--explain PAGE] [--reseed]

The app is built as in production (``wsgi.create_app``) with no page cache and served through
Flask's test client, anonymous, warm (each page is fetched a few times first). For each page it
prints the median, p95 and fastest of ``--requests`` requests (the fastest is the nearest a busy
machine gets to a quiet one), the median CPU time of the serving thread (what a busy machine
does not inflate; with SQLite it includes the database's work) and the SQL statements per
request, next to a bare endpoint that runs one indexed query (the yardstick of
``bench/pages.py``) and a page of the layout alone (``/bench/layout``: header, nav, search box
and footer through the page cache's wrapper, no query; what every page pays). Pages: home, a
brand, a category, a product (with batches and siblings), a search and the traceability page of
that product's batch. Figures only, no assertions.

Data, seeded once and reused (``--reseed`` starts again):
- SQLite: ``$YIPIN_BENCH_DIR`` (default ``<tmp>/yipin-bench-render``)``/demo.sqlite3``, made by
  ``flask setup`` and ``flask seed demo`` (what ``./scripts/demo`` runs); with ``--products N``
  a copy ``products-N.sqlite3`` grown by ``flask catalog generate --products N``.
- PostgreSQL: ``YIPIN_BENCH_DATABASE_URL``, or the test bed's server (``.testbed/env``) under
  ``<test database>_<namespace>_render``; with ``--products N`` a copy of it (``CREATE DATABASE
  … TEMPLATE``) named ``…_render_N`` grown the same way.

``--profile PAGE`` (home, brand, category, product, search, trace) runs that page's requests
under cProfile and prints where the time goes. On PostgreSQL, ``--trips PAGE`` prints the
messages of one request between psycopg and the server (libpq's trace): every round trip —
pre-ping, ``BEGIN``, each statement (parsed afresh or a prepared one), the pool's ``ROLLBACK``;
``--explain PAGE`` runs ``EXPLAIN (ANALYZE, BUFFERS, SUMMARY)`` of each of the page's statements
with the parameters it sent, on one connection, and prints planning and execution times.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.checkout import bench_app, bench_database_url  # noqa: E402

PAGES = ("bare", "layout", "home", "brand", "category", "product", "search", "trace")
SERVER_VARIABLES = ("YIPIN_REDIS_URL", "YIPIN_ELASTICSEARCH_URL", "YIPIN_STRIPE_SECRET_KEY")


# ----------------------------------------------------------------------------- data


def bench_dir() -> Path:
    path = Path(
        os.environ.get("YIPIN_BENCH_DIR") or Path(tempfile.gettempdir()) / "yipin-bench-render"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def flask_cli(url: str, instance: Path, *args: str) -> None:
    """Run ``flask --app wsgi ARGS`` on the database (embedded jobs, search and payments)."""
    env = {**os.environ, "YIPIN_DATABASE_URL": url, "YIPIN_INSTANCE_PATH": str(instance)}
    for key in SERVER_VARIABLES:
        env.pop(key, None)
    command = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", *args]
    print(f"$ flask {' '.join(args)}", flush=True)
    subprocess.run(command, env=env, cwd=ROOT, check=True)


def seed_demo(url: str, instance: Path) -> None:
    started = time.perf_counter()
    flask_cli(url, instance, "setup")
    flask_cli(url, instance, "seed", "demo")
    print(f"demo seeded in {time.perf_counter() - started:.0f} s", flush=True)


def generate(url: str, instance: Path, products: int) -> None:
    started = time.perf_counter()
    flask_cli(url, instance, "catalog", "generate", "--products", str(products))
    flask_cli(url, instance, "search", "reindex")
    print(f"generated up to {products} products in {time.perf_counter() - started:.0f} s")


def sqlite_database(products: int | None, reseed: bool) -> tuple[str, Path]:
    """The URL of the seeded SQLite file (and the instance folder it belongs to)."""
    base = bench_dir()
    instance = base / "instance-sqlite"
    instance.mkdir(exist_ok=True)
    demo = base / "demo.sqlite3"
    if reseed:
        for path in base.glob("*.sqlite3"):
            path.unlink()
    if not demo.exists():
        partial = base / "demo.partial.sqlite3"
        partial.unlink(missing_ok=True)
        seed_demo(f"sqlite:///{partial}", instance)
        partial.rename(demo)
    if not products:
        return f"sqlite:///{demo}", instance
    grown = base / f"products-{products}.sqlite3"
    if not grown.exists():
        partial = base / f"products-{products}.partial.sqlite3"
        shutil.copyfile(demo, partial)
        generate(f"sqlite:///{partial}", instance, products)
        partial.rename(grown)
    return f"sqlite:///{grown}", instance


def postgres_base_url() -> str:
    return bench_database_url("render")


def _admin(url: str) -> Any:
    import sqlalchemy as sa

    return sa.create_engine(
        sa.engine.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )


def _database_ready(admin: Any, name: str) -> bool:
    import sqlalchemy as sa

    with admin.connect() as conn:
        return bool(
            conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        )


def postgres_database(products: int | None, reseed: bool) -> tuple[str, Path]:
    """The URL of the seeded PostgreSQL database (demo, or demo grown to ``products``)."""
    import sqlalchemy as sa

    url = postgres_base_url()
    name = sa.engine.make_url(url).database
    grown_name = f"{name}_{products}"
    instance = bench_dir() / "instance-postgresql"
    instance.mkdir(exist_ok=True)
    admin = _admin(url)
    try:
        if reseed:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{grown_name}"'))
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        if not _database_ready(admin, name):
            partial = f"{name}_partial"
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{partial}"'))
                conn.execute(
                    sa.text(f"CREATE DATABASE \"{partial}\" ENCODING 'UTF8' TEMPLATE template0")
                )
            seed_demo(str(sa.engine.make_url(url).set(database=partial)), instance)
            with admin.connect() as conn:
                conn.execute(sa.text(f'ALTER DATABASE "{partial}" RENAME TO "{name}"'))
        if not products:
            return url, instance
        if not _database_ready(admin, grown_name):
            partial = f"{grown_name}_partial"
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{partial}"'))
                conn.execute(sa.text(f'CREATE DATABASE "{partial}" TEMPLATE "{name}"'))
            generate(str(sa.engine.make_url(url).set(database=partial)), instance, products)
            with admin.connect() as conn:
                conn.execute(sa.text(f'ALTER DATABASE "{partial}" RENAME TO "{grown_name}"'))
        return str(sa.engine.make_url(url).set(database=grown_name)), instance
    finally:
        admin.dispose()


# ----------------------------------------------------------------------------- the app


def make_app(url: str, instance: Path) -> Any:
    """The app on this database, embedded jobs and search, no page cache."""
    for key in SERVER_VARIABLES:
        os.environ.pop(key, None)
    os.environ["YIPIN_INSTANCE_PATH"] = str(instance)
    os.environ.setdefault("YIPIN_LOG_LEVEL", "WARNING")
    app = bench_app({"DATABASE_URL": url, "PAGE_CACHE": False})  # uncached: every render

    from flask import render_template

    from yipin.pagecache import cached_page

    with app.app_context():
        layout = app.jinja_env.from_string(
            '{% extends "base.html" %}{% block content %}<p>—</p>{% endblock %}'
        )

    @app.get("/bench/layout")
    @cached_page()
    def bench_layout() -> Any:
        """The layout alone (header, nav, search box, footer) through the page cache's wrapper,
        no query: what every page pays whatever it shows."""
        return render_template(layout)

    return app


def page_urls(app: Any) -> tuple[dict[str, str], int]:
    """A URL per page (the product with the most active batches and a sibling), and how many
    products consumers see."""
    import sqlalchemy as sa

    from catalog.models import Batch, Product, RegionalBrand, Variant
    from yipin.db import db

    with app.app_context():
        visible = (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Product).where(Product.is_visible)
            )
            or 0
        )
        lot = sa.orm.aliased(Variant)
        product_id, code = db.session.execute(
            sa.select(Product.id, sa.func.min(Batch.code))
            .join(lot, lot.product_id == Product.id)
            .join(Batch, Batch.variant_id == lot.id)
            .where(Product.is_visible, Batch.is_on_sale, Product.brand_id.is_not(None))
            .group_by(Product.id)
            .order_by(sa.func.count(Batch.id).desc(), Product.id)
            .limit(1)
        ).one()
        variant_id = db.session.scalar(
            sa.select(sa.func.min(Variant.id)).where(Variant.product_id == product_id)
        )
        brand = db.session.scalar(
            sa.select(RegionalBrand.slug)
            .join(Product, Product.brand_id == RegionalBrand.id)
            .where(Product.id == product_id)
        )
    urls = {
        "bare": f"/bench/bare/{variant_id}",
        "layout": "/bench/layout",
        "home": "/",
        "brand": f"/brands/{brand}",
        "category": "/c/fresh-fruit",
        "product": f"/p/{product_id}",
        "search": "/search?q=%E8%84%90%E6%A9%99",  # 脐橙
        "trace": f"/t/{code}",
    }
    return urls, visible


class StatementCounter:
    """Counts the statements the engine sends."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args: Any) -> None:
        self.count += 1


def measure(
    app: Any, url: str, requests: int, warm: int = 10
) -> tuple[float, float, float, float, float]:
    """Median and p95 in ms, median CPU ms of this thread, statements per request and the
    fastest request in ms of ``requests`` anonymous GETs (CPU time is what a busy machine does
    not inflate; with SQLite it includes the database's work, with PostgreSQL not the
    server's; the fastest request is the nearest a busy machine gets to a quiet one's wall
    time). Warm: past psycopg's threshold for preparing statements (5 uses)."""
    import sqlalchemy as sa

    from yipin.db import db

    client = app.test_client()
    for _ in range(warm):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    counter = StatementCounter()
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", counter)
    times = []
    cpu = []
    try:
        for _ in range(requests):
            started, cpu_started = time.perf_counter(), time.thread_time()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - cpu_started) * 1000)
    finally:
        sa.event.remove(engine, "before_cursor_execute", counter)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return (
        statistics.median(times),
        p95,
        statistics.median(cpu),
        counter.count / requests,
        times[0],
    )


def profile(app: Any, url: str, requests: int) -> None:
    client = app.test_client()
    for _ in range(5):
        client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    print(f"\ncProfile of {requests} × GET {url}, by own time:")
    stats.sort_stats("tottime").print_stats(25)
    print("by cumulative time:")
    stats.sort_stats("cumulative").print_stats(40)


def trips(app: Any, url: str) -> None:
    """The protocol messages of one request on PostgreSQL (libpq's trace of every connection
    the request uses), then the round trips: a ``Sync`` or a simple ``Query`` each."""
    import sqlalchemy as sa

    from yipin.db import db

    client = app.test_client()
    for _ in range(8):  # warm: past psycopg's prepare_threshold (5) on the pooled connection
        client.get(url)
    with app.app_context():
        engine = db.engine
    warm = tempfile.TemporaryFile("w+")  # noqa: SIM115
    out = tempfile.TemporaryFile("w+")  # noqa: SIM115
    traced: list[Any] = []

    def trace(dbapi_connection: Any, *_args: Any) -> None:
        pgconn = dbapi_connection.pgconn
        if pgconn not in traced:
            pgconn.trace(warm.fileno())
            traced.append(pgconn)

    # connections are traced from their return to the pool (after the pool's reset), so the
    # measured request's pre-ping is in its trace: one warm request first to get there
    sa.event.listen(engine, "checkin", trace)
    try:
        client.get(url)
    finally:
        sa.event.remove(engine, "checkin", trace)
    for pgconn in traced:
        pgconn.untrace()
        pgconn.trace(out.fileno())
        pgconn.set_trace_flags(psycopg_flags())
    client.get(url)
    for pgconn in traced:
        pgconn.untrace()
    out.seek(0)
    lines = out.read().splitlines()
    print("\n".join(lines))
    sent = [line for line in lines if line.startswith("F")]
    trips = sum(1 for line in sent if "\tSync" in line or "\tQuery\t" in line)
    print(f"{len(sent)} messages sent, {trips} round trips (a Sync or a simple Query each)")


def psycopg_flags() -> int:
    from psycopg import pq

    return int(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)


def explain(app: Any, url: str) -> None:
    """``EXPLAIN (ANALYZE, BUFFERS, SUMMARY)`` of each statement one request sends, with its
    parameters, on PostgreSQL: planning and execution time on the server."""
    import sqlalchemy as sa

    from yipin.db import db

    client = app.test_client()
    for _ in range(3):
        client.get(url)
    with app.app_context():
        engine = db.engine
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        sent.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    totals = [0.0, 0.0]
    with engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()
        for number, (statement, parameters) in enumerate(sent, 1):
            for _ in range(3):  # warm the server's caches; the last run is printed
                cursor.execute(
                    "EXPLAIN (ANALYZE, BUFFERS, SUMMARY) " + statement, parameters or None
                )
                plan = [r[0] for r in cursor.fetchall()]
            times = [line for line in plan if line.startswith(("Planning Time", "Execution Time"))]
            for i, line in enumerate(times):
                totals[i] += float(line.split(":")[1].split()[0])
            print(f"\n-- statement {number}: {' '.join(statement.split())[:300]}")
            print("\n".join(plan))
        conn.rollback()
    print(
        f"\n{len(sent)} statements: planning {totals[0]:.2f} ms, execution {totals[1]:.2f} ms "
        "(server side, each statement run alone)"
    )
    # what each costs the client (round trip, server, rows into Python), planned every time
    # and prepared (psycopg prepares what a connection has seen 5 times; plans are generic
    # after 5 more)
    with engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        dbapi.commit()
        dbapi.autocommit = True
        cursor = dbapi.cursor()
        print("\nstatement  planned each time (ms)  prepared (ms)  rows")
        sums = [0.0, 0.0]
        for number, (statement, parameters) in enumerate(sent, 1):
            medians = []
            for prepare in (False, True):
                times = []
                for _ in range(30):
                    started = time.perf_counter()
                    cursor.execute(statement, parameters or None, prepare=prepare)
                    rows = cursor.fetchall()
                    times.append((time.perf_counter() - started) * 1000)
                medians.append(statistics.median(times[10:]))
            sums[0] += medians[0]
            sums[1] += medians[1]
            print(f"{number:9}  {medians[0]:23.2f}  {medians[1]:13.2f}  {len(rows)}")
        print(f"{'all':>9}  {sums[0]:23.2f}  {sums[1]:13.2f}")
        dbapi.autocommit = False


def run(
    label: str,
    database: Callable[[int | None, bool], tuple[str, Path]],
    args: argparse.Namespace,
) -> list[tuple[str, ...]]:
    url, instance = database(args.products, args.reseed)
    app = make_app(url, instance)
    urls, visible = page_urls(app)
    if args.profile:
        profile(app, urls[args.profile], args.requests)
        return []
    if args.trips or args.explain:
        if label != "PostgreSQL":
            return []
        if args.trips:
            trips(app, urls[args.trips])
        if args.explain:
            explain(app, urls[args.explain])
        return []
    rows = []
    for page in PAGES:
        median, p95, cpu, statements, fastest = measure(app, urls[page], args.requests)
        rows.append(
            (
                label,
                str(visible),
                page,
                urls[page],
                f"{median:.1f}",
                f"{p95:.1f}",
                f"{fastest:.1f}",
                f"{cpu:.1f}",
                f"{statements:.3g}",
            )
        )
        print(f"  {label} {visible} {page}: {median:.1f} ms", flush=True)
    with app.app_context():
        from yipin.db import db

        db.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--products", type=int, default=None, help="grow the catalog to N")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--profile", choices=PAGES, default=None)
    parser.add_argument("--trips", choices=PAGES, default=None, help="PostgreSQL round trips")
    parser.add_argument("--explain", choices=PAGES, default=None, help="PostgreSQL plans")
    parser.add_argument("--reseed", action="store_true", help="seed the data again")
    args = parser.parse_args()
    databases: list[tuple[str, Callable[[int | None, bool], tuple[str, Path]]]] = []
    if args.database in ("sqlite", "both"):
        databases.append(("SQLite", sqlite_database))
    if args.database in ("postgresql", "both"):
        databases.append(("PostgreSQL", postgres_database))
    rows: list[tuple[str, ...]] = []
    for label, database in databases:
        rows += run(label, database, args)
    if not rows:
        return
    header = (
        "database",
        "products",
        "page",
        "url",
        "median ms",
        "p95 ms",
        "min ms",
        "CPU ms",
        "statements",
    )
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print()
    print(f"$ {' '.join(['bench/render.py', *sys.argv[1:]])}")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


if __name__ == "__main__":
    main()
