"""Storefront commands: ``flask storefront …``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from catalog.models import Product
from storefront import readmodel
from yipin import freshness
from yipin.db import commit, db

storefront_cli = AppGroup("storefront", help="Storefront: the listings' read model.")


@storefront_cli.command("rebuild")
def rebuild() -> None:
    """Recompute every product's card row (storefront_cards) from the catalog.

    Rows are kept current in the transaction of each change; rebuild after a restore or a
    change made with raw SQL.
    """
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Product)) or 0
    with click.progressbar(length=total, label="storefront cards", show_pos=True) as bar:
        done = readmodel.rebuild(db.session, progress=bar.update)
    freshness.changed(db.session)  # cached pages were built from the old rows
    commit()
    click.echo(f"storefront: {done} card rows rebuilt")
