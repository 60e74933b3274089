"""Reference data: regions and the catalog's categories, grade standards and brands."""

from __future__ import annotations

import click

from yipin.db import commit, db
from yipin.seed import Echo


def run(echo: Echo) -> None:
    from catalog.reference import load_reference
    from yipin.regions.loader import load_regions, row_count

    total = row_count()
    with click.progressbar(length=total, label="regions   ", show_pos=True) as bar:
        added = load_regions(db.session, progress=bar.update)
    echo(f"regions: {added} added, {total - added} already present")
    counts = load_reference(db.session)
    from fulfillment.shipping import load_rate_card
    from orders.after_sales import load_rules

    counts["shipping rates and services"] = load_rate_card(db.session)
    counts["after-sales rules"] = load_rules(db.session)
    commit()
    echo("reference: " + ", ".join(f"{n} {what} added" for what, n in counts.items()))
