"""Reference data: the regions, then what each domain needs on every installation."""

from __future__ import annotations

import click

from yipin import platform
from yipin.db import commit, db
from yipin.seed import Echo


def run(echo: Echo) -> None:
    from yipin.regions.loader import load_regions, row_count

    total = row_count()
    with click.progressbar(length=total, label="regions   ", show_pos=True) as bar:
        added = load_regions(db.session, progress=bar.update)
    echo(f"regions: {added} added, {total - added} already present")
    counts: dict[str, int] = {}
    for seed in platform.current().reference_seeds():
        counts.update(seed(db.session))
    commit()
    echo("reference: " + ", ".join(f"{n} {what} added" for what, n in counts.items()))
