"""``flask reports …``: rebuild rollups, load a reward policy."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from reports import policies, rollups
from yipin.db import commit, db

reports_cli = AppGroup("reports", help="Reports: rollups of the sales ledger, reward policies.")


@reports_cli.command("rollup")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default=None, help="first day")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), default=None, help="last day")
def rollup(start: object, end: object) -> None:
    """Rebuild the daily rollups from the ledger (all days it has rows on, or a range)."""
    days = rollups.ledger_days(
        db.session,
        start.date() if start else None,  # type: ignore[attr-defined]
        end.date() if end else None,  # type: ignore[attr-defined]
    )
    rows = 0
    with click.progressbar(days, label="rollup") as bar:
        for day in bar:
            rows += rollups.rebuild_day(db.session, day)
            commit()
    click.echo(f"{len(days)} days, {rows} ledger rows")


@reports_cli.command("load-policy")
@click.argument(
    "path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False
)
def load_policy(path: Path | None) -> None:
    """Load a reward policy file (TOML); changed content becomes its next version."""
    try:
        policy, new = policies.load(db.session, path or policies.DEFAULT_POLICY)
    except policies.PolicyError as exc:
        raise click.ClickException(str(exc)) from exc
    commit()
    click.echo(f"{policy.label}: {'loaded' if new else 'unchanged'}")


@reports_cli.command("statements")
@click.option("--month", default=None, help="billing cycle YYYY-MM (default: last month)")
def statements(month: str | None) -> None:
    """Make the settlement statements of a billing cycle (cron: on the 1st, for last month)."""
    from datetime import date, timedelta

    from reports import settlement
    from yipin import clock

    if month:
        try:
            day = date.fromisoformat(f"{month}-01")
        except ValueError as exc:
            raise click.BadParameter("YYYY-MM", param_hint="--month") from exc
    else:
        day = (clock.today_local().replace(day=1) - timedelta(days=1)).replace(day=1)
    made = settlement.make_statements(db.session, day)
    commit()
    click.echo(f"{day:%Y-%m}: {len(made)} statements")
