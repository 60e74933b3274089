"""Order commands: ``flask orders …`` (run the sweeps from cron; each is safe to repeat)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from yipin.db import commit, db

orders_cli = AppGroup("orders", help="Orders: expiry of unpaid orders, auto-completion.")


@orders_cli.command("expire")
def expire() -> None:
    """Cancel unpaid orders whose payment time ran out, freeing their stock.

    Each order also carries a delayed job that does this; the sweep catches any whose job was
    lost (run it every few minutes from cron)."""
    from orders.expiry import expire_order, overdue

    done = 0
    for order_id in overdue(db.session):
        if expire_order(db.session, order_id) == "expired":
            done += 1
        commit()
    click.echo(f"expired {done} unpaid orders")


@orders_cli.command("complete-delivered")
def complete_delivered() -> None:
    """Complete delivered parcels whose buyer did not confirm in ORDER_AUTO_COMPLETE_DAYS."""
    from orders import lifecycle
    from orders.settings import setting

    ids = lifecycle.completion_due(db.session, setting("ORDER_AUTO_COMPLETE_DAYS"))
    for sub_order_id in ids:
        lifecycle.complete(db.session, None, sub_order_id)
        commit()
    click.echo(f"completed {len(ids)} delivered parcels")


@orders_cli.command("load-rates")
def load_rates() -> None:
    """Add the shipping rate card and after-sales rules of fulfillment/data and orders/data
    that are not in the database yet (operators' edits are kept)."""
    from fulfillment.shipping import load_rate_card
    from orders.after_sales import load_rules

    rates = load_rate_card(db.session)
    rules = load_rules(db.session)
    commit()
    click.echo(f"{rates} shipping rows and {rules} after-sales rules added")


@orders_cli.command("purge-guest-carts")
@click.option("--days", default=30, show_default=True, help="Untouched for this many days.")
def purge_guest_carts(days: int) -> None:
    """Delete guests' carts nobody touched for ``--days`` days (their cookies expire then)."""
    from orders.carts import purge_guest_carts as purge

    removed = purge(db.session, days)
    commit()
    click.echo(f"removed {removed} guest carts")
