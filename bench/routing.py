"""Benchmark routing through real RQ workers, next to a no-op job on the same workers, in one run.

Sets up PostgreSQL with the carrier network, the order tests' shop (plus ``--warehouses`` extra
warehouses holding the product, so routing has candidates to weigh) and ``--orders`` paid
sub-orders awaiting routing; starts ``--workers`` ``flask fulfillment worker --queues routing``
processes; when they are up, enqueues ``--orders`` no-op jobs (``fulfillment.routing.jobs.noop``:
an app context, nothing else) and times until all finished, then enqueues one route job per
sub-order (``fulfillment.routing.jobs.route``, the job the outbox feeds) and times those.
Prints jobs per second for both and checks every sub-order was routed. Figures only.

    .venv/bin/python bench/routing.py [--orders 300] [--workers 2] [--warehouses 10] [--simple]

The database is ``YIPIN_BENCH_DATABASE_URL`` or the test bed's PostgreSQL under the name
``yipin_bench_routing`` (rebuilt on every run); Redis is ``YIPIN_BENCH_REDIS_URL`` or the test
bed's Redis database of ``YIPIN_TEST_NAMESPACE`` (emptied first).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.checkout import _testbed_env  # noqa: E402


def urls() -> tuple[str, str]:
    testbed = _testbed_env()
    db_url = os.environ.get("YIPIN_BENCH_DATABASE_URL")
    if not db_url:
        base = testbed.get("YIPIN_TEST_DATABASE_URL")
        if not base:
            raise SystemExit("set YIPIN_BENCH_DATABASE_URL or run: python -m tests.testbed up")
        db_url = base.rsplit("/", 1)[0] + "/yipin_bench_routing"
    redis_url = os.environ.get("YIPIN_BENCH_REDIS_URL")
    if not redis_url:
        from tests import testbed as bed

        for key, value in testbed.items():
            os.environ.setdefault(key, value)
        redis_url = bed.redis_url(bed.require("redis"))
    return db_url, redis_url


def prepare(db_url: str, redis_url: str, orders: int, warehouses: int) -> list[int]:
    """Fresh schema, network and shop; ``orders`` paid sub-orders awaiting routing."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    import wsgi
    from catalog.models import StorageClass
    from fulfillment.routing.network import load_network
    from orders.models import SubOrder
    from orders.status import OrderStatus
    from tests import factories as f
    from tests.fulfillment.routing_world import pay
    from tests.orders.world import build_shop, buy
    from yipin import jobs
    from yipin.db import db
    from yipin.regions.loader import load_regions
    from yipin.seed.reference import run as reference

    name = sa.engine.make_url(db_url).database
    admin = sa.create_engine(
        sa.engine.make_url(db_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    app = wsgi.create_app(
        {"DATABASE_URL": db_url, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024}
    )
    jobs.redis_connection(redis_url).flushdb()
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        load_regions(db.session)
        reference(lambda _line: None)
        shop = build_shop(units=1_000_000)
        load_network(db.session)
        for n in range(warehouses):  # more candidates for every decision
            store = f.WarehouseFactory(
                code=f"BENCH-{n}",
                supplier_id=None,
                region_code=["360702", "360781", "360734100", "360703"][n % 4],
                cold_capability=StorageClass.FROZEN,
                daily_capacity=100_000,
            )
            f.StockFactory(warehouse=store, variant=shop.orange, on_hand=1_000 + n)
        db.session.commit()
        started = time.monotonic()
        for _ in range(orders):
            pay(shop, buy(shop, [(shop.orange, 1)]))
            db.session.commit()
        print(f"set-up: {orders} paid orders in {time.monotonic() - started:.1f} s")
        ids = list(
            db.session.scalars(
                sa.select(SubOrder.id)
                .where(SubOrder.status == OrderStatus.AWAITING_ROUTING)
                .order_by(SubOrder.id)
            )
        )
        db.engine.dispose()
    return ids


def run_batch(queue: Any, func: str, args: list[tuple[Any, ...]], prefix: str) -> float:
    """Enqueue one job per args tuple, wait until every one finished; seconds taken."""
    from rq.job import Job, JobStatus

    started = time.monotonic()
    ids = []
    for n, job_args in enumerate(args):
        job = queue.enqueue(func, *job_args, job_id=f"{prefix}-{n}", result_ttl=600)
        ids.append(job.id)
    pending = set(ids)
    while pending:
        time.sleep(0.05)
        jobs = Job.fetch_many(
            list(pending), connection=queue.connection, serializer=queue.serializer
        )
        for job in jobs:
            status = job.get_status(refresh=False) if job else None
            if status == JobStatus.FAILED:
                raise SystemExit(f"job {job.id} failed: {job.latest_result()}")
            if status == JobStatus.FINISHED:
                pending.discard(job.id)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warehouses", type=int, default=10)
    parser.add_argument(
        "--simple", action="store_true", help="workers run jobs in their own process (no fork)"
    )
    args = parser.parse_args()

    db_url, redis_url = urls()
    sub_orders = prepare(db_url, redis_url, args.orders, args.warehouses)

    from redis import Redis
    from rq import Queue, Worker
    from rq.serializers import JSONSerializer

    connection = Redis.from_url(redis_url)
    queue = Queue("routing", connection=connection, serializer=JSONSerializer)
    env = dict(
        os.environ,
        YIPIN_DATABASE_URL=db_url,
        YIPIN_REDIS_URL=redis_url,
        YIPIN_INSTANCE_PATH=tempfile.mkdtemp(prefix="yipin-bench-"),
        YIPIN_SECRET_KEY="bench",
        YIPIN_LOG_LEVEL="WARNING",
    )
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "wsgi",
                "fulfillment",
                "worker",
                "--queues",
                "routing",
                *(["--simple"] if args.simple else []),
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(args.workers)
    ]
    try:
        deadline = time.monotonic() + 120
        while len(Worker.all(queue=queue)) < args.workers:
            if time.monotonic() > deadline:
                raise SystemExit("the workers did not start")
            time.sleep(0.2)
        count = len(sub_orders)
        noop = run_batch(
            queue, "fulfillment.routing.jobs.noop", [(n,) for n in range(count)], "noop"
        )
        routed = run_batch(
            queue, "fulfillment.routing.jobs.route", [(s,) for s in sub_orders], "route"
        )
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            worker.wait(30)

    import sqlalchemy as sa

    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        done = conn.scalar(sa.text("SELECT count(*) FROM sub_orders WHERE status = 'routed'"))
        decisions = conn.scalar(sa.text("SELECT count(*) FROM routing_decisions"))
    engine.dispose()
    print(
        f"workers: {args.workers} ({'simple' if args.simple else 'forking'} RQ workers, "
        "queue 'routing'); "
        f"warehouses holding the product: {args.warehouses + 1}"
    )
    print(f"{'no-op job':<28} {count / noop:8.1f} jobs/s   ({count} in {noop:.2f} s)")
    rate = count / routed
    print(f"{'route a sub-order':<28} {rate:8.1f} sub-orders/s   ({count} in {routed:.2f} s)")
    print(f"routed: {done} of {count} sub-orders; {decisions} decisions stored")


if __name__ == "__main__":
    main()
