"""Benchmark the storefront's pages next to a bare endpoint on the same gunicorn, in one run.

For each database (the embedded SQLite default; PostgreSQL with Redis) and each catalog size
(the demo's; ``--sizes demo,10000`` adds one of 10,000 products made by ``flask catalog
generate``), one gunicorn serves the app plus ``/bench/bare/<id>`` (one indexed query,
``bench/checkout.py``'s yardstick). Client threads without cookies (anonymous visitors, as a
phone landing from a search engine) load each page for ``--seconds``: home, a brand, a
category, a product, a batch's traceability page and a search. Prints requests/s and p95 per
page, with their ratios to the bare endpoint (the goal: ≥ 0.5× its throughput, p95 ≤ 2× its
p95), then the server time of one uncached render per page in-process (page cache off).
Figures only, no assertions.

    .venv/bin/python bench/pages.py [--seconds 10] [--clients 8] [--workers 2] [--threads 4]
        [--databases sqlite,postgresql] [--sizes demo] [--renders 30] [--fresh]

SQLite lives in ``/var/tmp/yipin-bench-pages/``; PostgreSQL is ``YIPIN_BENCH_DATABASE_URL`` or
the test bed's server (``.testbed/env``) under the name ``yipin_bench_pages``, with Redis from
``YIPIN_BENCH_REDIS_URL`` or the test bed's (db 14). Each database is seeded once with the
demo (``flask setup`` + ``flask seed demo``) and kept for the next run, upgraded to the code's
schema by ``flask setup`` (migrations backfill what they add); ``--fresh`` rebuilds.
Search runs on the SQL engine (no Elasticsearch), so both databases serve the same work.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.checkout import _free_port, _run, _testbed_env, _wait, start_gunicorn  # noqa: E402

SQLITE_DIR = Path("/var/tmp/yipin-bench-pages")
PAGES = ("home", "brand", "category", "product", "trace", "search")


# ----------------------------------------------------------------------------- set-up


def targets(database: str, testbed: dict[str, str], size: str) -> dict[str, str]:
    """The environment of one database at one size: its URL, Redis when it has one, and the
    instance folder."""
    suffix = "" if size == "demo" else f"_{size}"
    if database == "sqlite":
        folder = SQLITE_DIR / f"sqlite{suffix}"
        folder.mkdir(parents=True, exist_ok=True)
        return {
            "YIPIN_DATABASE_URL": f"sqlite:///{folder / 'yipin.sqlite3'}",
            "YIPIN_INSTANCE_PATH": str(folder),
        }
    url = os.environ.get("YIPIN_BENCH_DATABASE_URL")
    if not url:
        base = testbed.get("YIPIN_TEST_DATABASE_URL")
        if not base:
            raise SystemExit("set YIPIN_BENCH_DATABASE_URL or run: python -m tests.testbed up")
        url = base.rsplit("/", 1)[0] + "/yipin_bench_pages"
    url += suffix
    redis = os.environ.get("YIPIN_BENCH_REDIS_URL")
    if not redis:
        base = testbed.get("YIPIN_TEST_REDIS_URL")
        if not base:
            raise SystemExit("set YIPIN_BENCH_REDIS_URL or run: python -m tests.testbed up")
        redis = base.rsplit("/", 1)[0] + "/14"
    folder = SQLITE_DIR / f"postgresql{suffix}"
    folder.mkdir(parents=True, exist_ok=True)
    return {"YIPIN_DATABASE_URL": url, "YIPIN_REDIS_URL": redis, "YIPIN_INSTANCE_PATH": str(folder)}


def _flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        text=True,
        capture_output=True,
    )


def prepare(database: str, target: dict[str, str], size: str, fresh: bool) -> bool:
    """Seed the demo once (without Redis: the outbox runs in-process, so search's rows are
    written before we start); at a size, generate products up to it. False when skipped."""
    import sqlalchemy as sa

    url = target["YIPIN_DATABASE_URL"]
    if database == "postgresql":
        name = sa.engine.make_url(url).database
        admin = sa.create_engine(
            sa.engine.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            exists = conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if exists and fresh:
                conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            if not exists or fresh:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    elif fresh:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    env = {**os.environ, **target, "YIPIN_LOG_LEVEL": "WARNING"}
    env.pop("YIPIN_REDIS_URL", None)
    env.pop("YIPIN_ELASTICSEARCH_URL", None)
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            products = conn.scalar(sa.text("SELECT count(*) FROM products"))
    except sa.exc.DatabaseError:
        products = 0
    finally:
        engine.dispose()
    if not products:
        print(f"  seeding the demo into {database} (once) …", flush=True)
        steps: tuple[tuple[str, ...], ...] = (("setup",), ("seed", "demo"))
    else:  # kept from an earlier run: bring its schema to the code's head (migrations backfill)
        steps = (("setup",),)
    for step in steps:
        done = _flask(env, *step)
        if done.returncode:
            raise SystemExit(f"flask {' '.join(step)} failed:\n{done.stderr[-2000:]}")
    if size != "demo":
        if "generate" not in _flask(env, "catalog", "--help").stdout:
            print(f"  size {size}: `flask catalog generate` is not there yet: skipped")
            return False
        done = _flask(env, "catalog", "generate", "--products", size)
        if done.returncode:
            raise SystemExit(f"flask catalog generate failed:\n{done.stderr[-2000:]}")
    return True


def urls(target: dict[str, str]) -> dict[str, str]:
    """One URL per page, picked from what the demo shows, and the bare endpoint's."""
    import sqlalchemy as sa

    url = target["YIPIN_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://")
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        product, variant = conn.execute(
            sa.text(
                "SELECT p.id, v.id FROM products p JOIN variants v ON v.product_id = p.id"
                " JOIN batches b ON b.variant_id = v.id"
                " WHERE p.status = 'listed' AND b.status = 'active' ORDER BY p.id LIMIT 1"
            )
        ).one()
        code = conn.scalar(
            sa.text("SELECT code FROM batches WHERE status = 'active' ORDER BY id LIMIT 1")
        )
        brand = conn.scalar(
            sa.text(
                "SELECT b.slug FROM regional_brands b JOIN products p ON p.brand_id = b.id"
                " GROUP BY b.slug ORDER BY count(*) DESC LIMIT 1"
            )
        )
    engine.dispose()
    return {
        "bare": f"/bench/bare/{variant}",
        "home": "/",
        "brand": f"/brands/{brand}",
        "category": "/c/fresh-fruit",
        "product": f"/p/{product}",
        "trace": f"/t/{code}",
        "search": "/search?q=脐橙",
    }


# ----------------------------------------------------------------------------- measuring


def load(base_url: str, path: str, seconds: float, clients: int) -> tuple[float, float, int]:
    """Requests/s, p95 (ms) and errors of ``clients`` cookieless threads on one URL."""
    import requests

    sessions = [requests.Session() for _ in range(clients)]
    errors = [0]

    def hit(i: int) -> float | None:
        started = time.perf_counter()
        r = sessions[i].get(base_url + path)
        took = time.perf_counter() - started
        if r.status_code != 200:
            errors[0] += 1
            return None
        return took

    _run(1, clients, hit)  # warm: templates compiled, the page cached in each worker
    errors[0] = 0
    latencies = sorted(_run(seconds, clients, hit))
    if not latencies:
        return 0.0, 0.0, errors[0]
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000
    return len(latencies) / seconds, p95, errors[0]


def render_times(target: dict[str, str], paths: dict[str, str], runs: int) -> dict[str, float]:
    """Median server time (ms) of one request per page in-process, the page cache off."""
    env = {**target}
    env.pop("YIPIN_REDIS_URL", None)
    code = f"""
import json, os, statistics, sys, time
sys.path.insert(0, {str(ROOT)!r})
import wsgi
app = wsgi.create_app({{"PAGE_CACHE": False}})
client = app.test_client()
out = {{}}
for name, path in json.loads(os.environ["BENCH_PATHS"]).items():
    for _ in range(3):
        client.get(path)
    times = []
    for _ in range({runs}):
        started = time.perf_counter()
        assert client.get(path).status_code == 200, path
        times.append((time.perf_counter() - started) * 1000)
    out[name] = statistics.median(times)
print(json.dumps(out))
"""
    import json

    pages = {name: paths[name] for name in PAGES}
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", code],
        cwd=ROOT,
        env={**os.environ, **env, "BENCH_PATHS": json.dumps(pages), "YIPIN_LOG_LEVEL": "ERROR"},
        text=True,
        capture_output=True,
    )
    if done.returncode:
        print(done.stderr[-2000:])
        return {}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def bench(database: str, size: str, target: dict[str, str], args: argparse.Namespace) -> None:
    paths = urls(target)
    port = _free_port()
    env = {
        **os.environ,
        **target,
        "YIPIN_SECRET_KEY": uuid.uuid4().hex,
        "YIPIN_LOG_LEVEL": "WARNING",
        "YIPIN_INSTANCE_PATH": tempfile.mkdtemp(prefix="yipin-bench-"),
    }
    env.pop("YIPIN_ELASTICSEARCH_URL", None)
    env.pop("YIPIN_STRIPE_SECRET_KEY", None)
    if database == "sqlite":
        env.pop("YIPIN_REDIS_URL", None)
    server = start_gunicorn(port, args.workers, args.threads, env)
    base_url = f"http://127.0.0.1:{port}"
    figures: dict[str, tuple[float, float, int]] = {}
    try:
        _wait(base_url, int(paths["bare"].rsplit("/", 1)[1]))
        for name in ("bare", *PAGES):
            figures[name] = load(base_url, paths[name], args.seconds, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=30)
    renders = render_times(target, paths, args.renders) if args.renders else {}

    label = "SQLite (embedded)" if database == "sqlite" else "PostgreSQL + Redis"
    print(
        f"\n{label}, catalog {size}: gunicorn {args.workers} workers × {args.threads} threads,"
        f" {args.clients} cookieless clients, {args.seconds:.0f} s per page"
    )
    bare_rps, bare_p95, _ = figures["bare"]
    print("| page | URL | requests/s | p95 ms | × bare req/s | × bare p95 | uncached render ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for name in ("bare", *PAGES):
        rps, p95, errors = figures[name]
        render = f"{renders[name]:.1f}" if name in renders else "—"
        note = f" ({errors} errors)" if errors else ""
        print(
            f"| {name} | `{paths[name]}` | {rps:.0f}{note} | {p95:.1f} |"
            f" {rps / bare_rps if bare_rps else 0:.2f} | {p95 / bare_p95 if bare_p95 else 0:.2f} |"
            f" {render} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sizes", default="demo,10000", help="demo and/or a product count")
    parser.add_argument("--renders", type=int, default=30, help="in-process renders per page")
    parser.add_argument("--fresh", action="store_true", help="rebuild the databases")
    args = parser.parse_args()

    testbed = _testbed_env()
    for size in args.sizes.split(","):
        for database in args.databases.split(","):
            target = targets(database, testbed, size)
            print(f"preparing {database} at size {size} …", flush=True)
            if prepare(database, target, size, args.fresh):
                bench(database, size, target, args)


if __name__ == "__main__":
    main()
