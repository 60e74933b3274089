"""Search latency under load: the JSON API's p50/p95 next to the raw Elasticsearch query time
for the same queries, in one run (figures only, no assertions).

A catalog of ``--copies`` copies of the relevance corpus (tests/search/corpus.py) is loaded and
indexed; the app is served by gunicorn (``--workers``, threads) on a loopback port, and
``--concurrency`` client threads send ``--requests`` searches, cycling through the relevance
queries. Then the same queries go straight to Elasticsearch (the body the app would send, with
facets) at the same concurrency: client round trip and Elasticsearch's own ``took``. Last, the
API with the SQL engine (Elasticsearch not configured), for the fallback's figures.

    YIPIN_BENCH_ELASTICSEARCH_URL=http://127.0.0.1:59200 .venv/bin/python bench/search_load.py \\
        [--copies 20] [--requests 1500] [--concurrency 8] [--workers 2]
    YIPIN_BENCH_DATABASE_URL=postgresql+psycopg://…   (default: a temporary SQLite file)

Every request is bounded (5 s timeout) and the run stops by itself; traffic goes to loopback
only. Indices are named ``yipin-bench-load-*`` and deleted afterwards.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PREFIX = "yipin-bench-load"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def hammer(call: Callable[[str], float | None], queries: list[str], total: int, threads: int):
    """``total`` calls from ``threads`` threads; returns (latencies ms, extra ms, seconds)."""
    lock = threading.Lock()
    counter = itertools.count()
    latencies: list[float] = []
    extras: list[float] = []
    errors = [0]
    deadline = time.monotonic() + 300  # the run stops by itself

    def worker() -> None:
        while time.monotonic() < deadline:
            n = next(counter)
            if n >= total:
                return
            q = queries[n % len(queries)]
            started = time.perf_counter()
            try:
                extra = call(q)
            except Exception:
                with lock:
                    errors[0] += 1
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if extra is not None:
                    extras.append(extra)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return latencies, extras, time.perf_counter() - started, errors[0]


def line(label: str, latencies: list[float], seconds: float, errors: int, note: str = "") -> None:
    rate = len(latencies) / seconds if seconds else 0
    print(
        f"{label:34} {len(latencies):6d} {rate:8.1f} {percentile(latencies, 0.5):8.1f}"
        f" {percentile(latencies, 0.95):8.1f} {percentile(latencies, 0.99):8.1f}"
        f" {errors:6d}  {note}"
    )


def serve(env: dict[str, str], workers: int, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "wsgi:create_app()",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code:
                return proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit(f"gunicorn did not start: see {log}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--analysis", default="ik")
    args = parser.parse_args()
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
    es_url = os.environ.get("YIPIN_BENCH_ELASTICSEARCH_URL")
    if not es_url:
        raise SystemExit("set YIPIN_BENCH_ELASTICSEARCH_URL (e.g. the test bed's, port 59200)")
    workdir = Path(tempfile.mkdtemp(prefix="yipin-bench-load-"))
    database = os.environ.get("YIPIN_BENCH_DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["YIPIN_INSTANCE_PATH"] = str(workdir / "instance")
    env = {
        **os.environ,
        "YIPIN_DATABASE_URL": database,
        "YIPIN_ELASTICSEARCH_URL": es_url,
        "YIPIN_ELASTICSEARCH_INDEX_PREFIX": PREFIX,
        "YIPIN_SEARCH_CHINESE_ANALYSIS": args.analysis,
        "YIPIN_SECRET_KEY": "bench",
    }
    from wsgi import create_app

    app = create_app(
        {
            "DATABASE_URL": database,
            "ELASTICSEARCH_URL": es_url,
            "ELASTICSEARCH_INDEX_PREFIX": PREFIX,
            "SEARCH_CHINESE_ANALYSIS": args.analysis,
        }
    )
    sys.path.insert(0, str(ROOT / "bench"))
    from search_relevance import prepare

    from tests.search import corpus

    queries = [c.query for c in corpus.RELEVANCE]
    with app.app_context():
        from search import elastic, engine, index, text
        from search.request import SearchRequest
        from yipin import clock
        from yipin.db import db

        started = time.perf_counter()
        prepare(app)
        for copy in range(1, args.copies):
            corpus.load(copy=copy)
            db.session.commit()
        clock.reset()
        report = index.reindex()
        es = engine.client()
        print(
            f"catalog: {report.documents} products indexed into {report.index} in "
            f"{time.perf_counter() - started:.0f}s; {len(queries)} queries, {args.requests} "
            f"requests per phase, {args.concurrency} client threads, {args.workers} gunicorn "
            f"workers × 4 threads, analysis {args.analysis}"
        )
        day = clock.today_local()
        bodies = {q: elastic.body(SearchRequest(q=q), day, text.parse(q)) for q in queries}

    print(
        f"{'':34} {'reqs':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}"
    )
    port = free_port()
    server = serve(env, args.workers, port, workdir / "gunicorn-es.log")
    session_local = threading.local()

    def api(q: str) -> float | None:
        session = getattr(session_local, "s", None) or requests.Session()
        session_local.s = session
        r = session.get(f"http://127.0.0.1:{port}/api/v1/search", params={"q": q}, timeout=5)
        r.raise_for_status()
        if r.json()["engine"] != "elasticsearch":
            raise RuntimeError("the SQL engine answered")
        return None

    try:
        hammer(api, queries, min(100, args.requests), args.concurrency)  # warm up
        lat, _x, secs, errs = hammer(api, queries, args.requests, args.concurrency)
        line("API /api/v1/search (Elasticsearch)", lat, secs, errs, "end to end, facets included")
    finally:
        server.terminate()
        server.wait(timeout=30)

    raw = es.options(request_timeout=5, max_retries=0)

    def direct(q: str) -> float:
        return float(raw.search(index=f"{PREFIX}-products", **bodies[q])["took"])

    lat, took, secs, errs = hammer(direct, queries, args.requests, args.concurrency)
    line("raw Elasticsearch query", lat, secs, errs, "client round trip, same bodies")
    print(
        f"{'  Elasticsearch took':34} {len(took):6d} {'':8} {percentile(took, 0.5):8.1f}"
        f" {percentile(took, 0.95):8.1f} {percentile(took, 0.99):8.1f}"
    )

    sql_env = {k: v for k, v in env.items() if k != "YIPIN_ELASTICSEARCH_URL"}
    port = free_port()
    server = serve(sql_env, args.workers, port, workdir / "gunicorn-sql.log")

    def api_sql(q: str) -> float | None:
        session = getattr(session_local, "t", None) or requests.Session()
        session_local.t = session
        r = session.get(f"http://127.0.0.1:{port}/api/v1/search", params={"q": q}, timeout=5)
        r.raise_for_status()
        return None

    try:
        hammer(api_sql, queries, min(50, args.requests), args.concurrency)
        lat, _x, secs, errs = hammer(api_sql, queries, args.requests, args.concurrency)
        dialect = database.split(":", 1)[0].split("+")[0]
        line(f"API /api/v1/search (SQL, {dialect})", lat, secs, errs, "the fallback engine")
    finally:
        server.terminate()
        server.wait(timeout=30)
        with app.app_context():
            if report.index:
                es.options(ignore_status=404).indices.delete(index=report.index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
