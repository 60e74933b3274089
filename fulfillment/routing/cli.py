"""``flask fulfillment …``: the routing worker and sweeps (each safe to repeat)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from yipin.db import commit, db

fulfillment_cli = AppGroup("fulfillment", help="Routing, waybills, tracking and SLAs.")


@fulfillment_cli.command("worker")
@click.option("--queues", default="routing,carriers,maintenance", show_default=True)
@click.option("--burst", is_flag=True, help="Exit when the queues are empty.")
@click.option("--simple", is_flag=True, help="Run jobs in the worker process (no fork).")
def worker(queues: str, burst: bool, simple: bool) -> None:
    """An RQ worker on routing's queues, with the scheduler (retries, periodic SLA round)."""
    from fulfillment.routing import jobs
    from yipin import jobs as core_jobs

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not core_jobs.uses_rq(app):
        raise click.ClickException("set YIPIN_REDIS_URL: without Redis jobs run in-process")
    names = [name.strip() for name in queues.split(",") if name.strip()]
    unknown = [name for name in names if name not in jobs.QUEUES]
    if unknown:
        raise click.ClickException(f"unknown queues: {unknown}; choose from {jobs.QUEUES}")
    if "maintenance" in names and not burst:
        jobs.schedule_periodic()
    jobs.make_worker(app, names, simple=simple).work(
        burst=burst, with_scheduler=True, logging_level="INFO"
    )


@fulfillment_cli.command("route")
@click.argument("sub_order_id", type=int)
def route(sub_order_id: int) -> None:
    """Route one sub-order now and print the decision."""
    from fulfillment.routing.actions import route_sub_order

    decision = route_sub_order(db.session, sub_order_id)
    commit()
    click.echo(decision.outcome if decision else "not awaiting routing")


@fulfillment_cli.command("tick")
def tick() -> None:
    """Run the maintenance round once: SLA flags, polls, expired orders, waiting sub-orders."""
    from fulfillment.routing import jobs

    counts = jobs.tick(reschedule=False)
    click.echo(", ".join(f"{k} {v}" for k, v in counts.items()))


@fulfillment_cli.command("sla")
def sla() -> None:
    """Run the SLA monitor once."""
    from fulfillment.routing.sla import run

    counts = run(db.session)
    commit()
    click.echo(f"flags raised {counts['raised']}, cleared {counts['cleared']}")


@fulfillment_cli.command("load-network")
def load_network() -> None:
    """Add the carriers, rates, zones, coverage and rules missing from the database."""
    from fulfillment.routing.network import load_network as load

    counts = load(db.session)
    commit()
    click.echo(", ".join(f"{k} {v}" for k, v in counts.items()))
