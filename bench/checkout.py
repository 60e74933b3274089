"""Benchmark checkout on a real server, next to a bare endpoint on the same server, in one run.

gunicorn serves the app on PostgreSQL; client threads place orders through the JSON API (each
order: two lines from two suppliers put in the cart, then ``POST /api/v1/orders`` with an
``Idempotency-Key`` — only the placing is timed), then the same threads call a bare endpoint
that does one indexed query (``SELECT … FROM variants WHERE id = :id``) on the same gunicorn.
Prints requests per second, p50 and p95 for both. Figures only, no assertions. Each client buys
its own two variants; ``--hot`` makes them all buy the same two (their stock rows' locks then
serialise the placing, as for a flash sale).

    .venv/bin/python bench/checkout.py [--seconds 15] [--clients 8] [--workers 2]
        [--threads 4] [--payment bank_transfer|card]

The database is ``YIPIN_BENCH_DATABASE_URL``, or the test bed's PostgreSQL (``.testbed/env``)
under the name ``yipin_bench``: its schema is rebuilt on every run. ``--payment card`` also
creates a PaymentIntent per order at Stripe (the test bed's stripe-mock), after the commit.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bench_app(config: dict[str, Any] | None = None) -> Any:
    """The app plus ``/bench/bare``: one indexed query, the yardstick (gunicorn's entry)."""
    import sqlalchemy as sa
    from flask import jsonify

    import wsgi
    from yipin.db import db

    app = wsgi.create_app(config)

    @app.get("/bench/bare/<int:variant_id>")
    def bare(variant_id: int) -> Any:
        row = db.session.execute(
            sa.text("SELECT id, price_fen FROM variants WHERE id = :id"), {"id": variant_id}
        ).first()
        return jsonify({"id": row[0], "price_fen": row[1]} if row else {})

    return app


# ----------------------------------------------------------------------------- set-up


def _testbed_env() -> dict[str, str]:
    env: dict[str, str] = {}
    path = ROOT / ".testbed" / "env"
    if path.exists():
        for line in path.read_text().splitlines():
            if line.startswith("export "):
                key, _, value = line[7:].partition("=")
                env[key] = shlex.split(value)[0] if value else ""
    return env


def bench_database_url(suffix: str) -> str:
    """A bench's PostgreSQL database: ``YIPIN_BENCH_DATABASE_URL``, else one named after the test
    bed's (and the namespace) with ``_<suffix>``."""
    url = os.environ.get("YIPIN_BENCH_DATABASE_URL")
    if url:
        return url
    base = _testbed_env().get("YIPIN_TEST_DATABASE_URL")
    if not base:
        raise SystemExit("set YIPIN_BENCH_DATABASE_URL or run: python -m tests.testbed up")
    ns = os.environ.get("YIPIN_TEST_NAMESPACE", "")
    head, _, name = base.rpartition("/")
    return f"{head}/{name}{'_' + ns if ns else ''}_{suffix}"


def database_url(testbed: dict[str, str]) -> str:
    url = os.environ.get("YIPIN_BENCH_DATABASE_URL")
    if url:
        return url
    base = testbed.get("YIPIN_TEST_DATABASE_URL")
    if not base:
        raise SystemExit("set YIPIN_BENCH_DATABASE_URL or run: python -m tests.testbed up")
    return base.rsplit("/", 1)[0] + "/yipin_bench"


def prepare(url: str, clients: int) -> dict[str, Any]:
    """A fresh schema with the reference data, two suppliers with stock enough for any run,
    and one consumer (token, address) per client thread."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    import wsgi
    from tests.orders.world import BEIJING, build_shop
    from yipin.accounts.actions import issue_api_token
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
    os.environ["YIPIN_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="yipin-bench-")
    app = wsgi.create_app({"DATABASE_URL": url, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024})
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        load_regions(db.session)
        reference(lambda _line: None)
        shop = build_shop(units=10_000_000)
        from orders.models import Address
        from tests import factories as f

        tokens = []
        own: list[list[int]] = []
        for i in range(clients):  # each client buys its own two variants (two suppliers)
            pair = []
            for supplier in (shop.xunwu, shop.nankang):
                variant = f.VariantFactory(
                    product=f.ProductFactory(supplier=supplier, name=f"压测商品 {i}"),
                    price_fen=5000 + i,
                )
                f.StockFactory(warehouse=shop.warehouse, variant=variant, on_hand=10_000_000)
                pair.append(variant.id)
            own.append(pair)
        for i in range(clients):
            user = f.consumer(display_name=f"压测用户{i}")
            address = Address(
                user_id=user.id,
                recipient_name=user.display_name,
                phone="13911112222",
                region_code=BEIJING,
                detail="建国路 88 号",
            )
            db.session.add(address)
            db.session.flush()
            _row, secret = issue_api_token(db.session, user, "bench")
            tokens.append((secret, address.id))
        db.session.commit()
        info = {
            "tokens": tokens,
            "own": own,  # per client
            "hot": [shop.orange.id, shop.oil.id],  # everybody buys these with --hot
            "bare": shop.orange.id,
        }
        db.engine.dispose()
    return info


# ----------------------------------------------------------------------------- load


def _run(seconds: float, clients: int, work: Any) -> list[float]:
    """Run ``work(i)`` (returns a latency in seconds, or None) in ``clients`` threads."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def loop(i: int) -> None:
        while time.monotonic() < stop:
            took = work(i)
            if took is not None:
                with lock:
                    latencies.append(took)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def _report(name: str, latencies: list[float], seconds: float, errors: int) -> None:
    if not latencies:
        print(f"{name:<32} no successful request ({errors} errors)")
        return
    ordered = sorted(latencies)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(
        f"{name:<32} {len(latencies) / seconds:8.1f} req/s"
        f"   p50 {statistics.median(ordered) * 1000:7.1f} ms"
        f"   p95 {p95 * 1000:7.1f} ms   ({len(latencies)} ok, {errors} errors)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--payment", choices=["bank_transfer", "card"], default="bank_transfer")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--hot", action="store_true", help="every client buys the same two variants (row locks)"
    )
    args = parser.parse_args()

    import requests

    testbed = _testbed_env()
    url = database_url(testbed)
    print(f"preparing {url.rsplit('@', 1)[-1]} …", flush=True)
    info = prepare(url, args.clients)
    port = args.port or _free_port()
    env = {
        **os.environ,
        "YIPIN_DATABASE_URL": url,
        "YIPIN_SECRET_KEY": uuid.uuid4().hex,
        "YIPIN_INSTANCE_PATH": tempfile.mkdtemp(prefix="yipin-bench-"),
        "YIPIN_LOG_LEVEL": "WARNING",
    }
    for key in ("YIPIN_REDIS_URL", "YIPIN_STRIPE_SECRET_KEY", "YIPIN_ELASTICSEARCH_URL"):
        env.pop(key, None)
    if args.payment == "card":
        base = testbed.get("YIPIN_TEST_STRIPE_API_BASE")
        if not base:
            raise SystemExit("--payment card needs stripe-mock: python -m tests.testbed up")
        env.update(YIPIN_STRIPE_SECRET_KEY="sk_test_bench", YIPIN_STRIPE_API_BASE=base)
    server = start_gunicorn(port, args.workers, args.threads, env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait(base_url, info["bare"])
        errors = {"checkout": 0, "bare": 0}
        sessions = [requests.Session() for _ in range(args.clients)]

        def checkout(i: int) -> float | None:
            secret, address_id = info["tokens"][i]
            headers = {"Authorization": f"Bearer {secret}"}
            s = sessions[i]
            for variant_id in info["hot"] if args.hot else info["own"][i]:
                r = s.post(
                    f"{base_url}/api/v1/cart/lines",
                    json={"variant_id": variant_id, "quantity": 1},
                    headers=headers,
                )
                if r.status_code != 201:
                    errors["checkout"] += 1
                    return None
            started = time.perf_counter()
            r = s.post(
                f"{base_url}/api/v1/orders",
                json={"destination": {"address_id": address_id}, "payment_method": args.payment},
                headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
            )
            took = time.perf_counter() - started
            if r.status_code != 201:
                errors["checkout"] += 1
                return None
            return took

        def bare(i: int) -> float | None:
            started = time.perf_counter()
            r = sessions[i].get(f"{base_url}/bench/bare/{info['bare']}")
            took = time.perf_counter() - started
            if r.status_code != 200:
                errors["bare"] += 1
                return None
            return took

        for warm in (checkout, bare):
            _run(2, args.clients, warm)
        errors = {"checkout": 0, "bare": 0}
        placed = _run(args.seconds, args.clients, checkout)
        yardstick = _run(args.seconds, args.clients, bare)
        print(
            f"\ngunicorn {args.workers} workers × {args.threads} threads, {args.clients} clients,"
            f" {args.seconds:.0f} s each, PostgreSQL, payment {args.payment}"
            + (", all buying the same two variants" if args.hot else "")
        )
        _report("checkout (POST /api/v1/orders)", placed, args.seconds, errors["checkout"])
        _report("bare: one indexed query", yardstick, args.seconds, errors["bare"])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(port: int, workers: int, threads: int, env: dict[str, str]) -> Any:
    """One gunicorn serving the bench's app (the site plus the bare endpoint) on ``port``."""
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "bench.checkout:bench_app()",
        ],
        cwd=ROOT,
        env=env,
    )


def _wait(base_url: str, variant_id: int) -> None:
    import requests

    for _ in range(150):
        try:
            if requests.get(f"{base_url}/bench/bare/{variant_id}", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not come up")


if __name__ == "__main__":
    main()
