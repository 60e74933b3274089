"""Search commands: ``flask search reindex | status | catch-up``."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

search_cli = AppGroup("search", help="Product search: index, status, catch-up.")


@search_cli.command("reindex")
@click.option("--batch-size", default=500, show_default=True, help="Products per bulk request.")
@click.option("--keep-old", is_flag=True, help="Keep the previous index (for a quick rollback).")
def reindex(batch_size: int, keep_old: bool) -> None:
    """Rebuild search from the database: a new Elasticsearch index, loaded in bulk, then the
    alias swapped to it in one step (searches go on meanwhile); the SQL engine's rows too."""
    from search import documents, engine, index
    from yipin.db import db

    total = len(documents.indexable_ids(db.session))
    with click.progressbar(length=total, label="search reindex", show_pos=True) as bar:
        report = index.reindex(batch_size=batch_size, progress=bar.update, keep_old=keep_old)
    where = f"into {report.index}" if report.index else "(SQL engine only)"
    click.echo(f"search: {report.documents} products indexed {where}")
    if report.replaced:
        click.echo(f"search: alias moved from {', '.join(report.replaced)}")
    if report.removed_rows:
        click.echo(f"search: {report.removed_rows} rows of products no longer shown removed")
    if report.repushed:
        click.echo(f"search: {report.repushed} products changed meanwhile pushed again")
    if engine.uses_elasticsearch():
        engine.mark_up()


@search_cli.command("status")
def status() -> None:
    """Which engine serves, documents indexed, updates waiting for Elasticsearch."""
    from search import index

    click.echo(json.dumps(index.status(), ensure_ascii=False, indent=2, default=str))


@search_cli.command("catch-up")
def catch_up() -> None:
    """Make the index updates that waited for Elasticsearch due now (after an outage)."""
    from search import index

    click.echo(f"search: {index.catch_up()} index updates made due")
