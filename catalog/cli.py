"""Catalog commands: ``flask catalog …``. Other catalog commands join this group."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from yipin.db import commit, db

catalog_cli = AppGroup("catalog", help="Catalog: products, certificates, batches.")


@catalog_cli.command("certifications-expire")
@click.option(
    "--day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Evaluate expiry as of this day (default: today in China).",
)
@click.option(
    "--enqueue",
    is_flag=True,
    help="Hand the run to the job queue (outbox topic catalog.certifications_expiry).",
)
def certifications_expire(day: object, enqueue: bool) -> None:
    """Tell holders about expired certificates (once each) and those expiring within 30 days.

    Run daily (see catalog/TRACE.md); safe to run more often: nobody is told twice.
    """
    from catalog.models import EXPIRY_WARNING_DAYS
    from catalog.trace import expiry
    from yipin import clock, outbox

    as_of: date = day.date() if day is not None else clock.today_local()  # type: ignore[attr-defined]
    if enqueue:
        outbox.emit(db.session, expiry.EXPIRY_TOPIC, {"day": as_of.isoformat()})
        commit()
        click.echo(f"certifications expiry for {as_of} queued")
        return
    report = expiry.notify_expired_certifications(db.session, as_of)
    commit()
    click.echo(
        f"certifications on {as_of}: {len(report.expired)} expired (holders told), "
        f"{len(report.expiring)} expiring within {EXPIRY_WARNING_DAYS} days (warned)"
    )


@catalog_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--supplier", "supplier_id", type=int, required=True, help="The supplier's ID.")
@click.option(
    "--user",
    "login",
    default=None,
    help="Phone or e-mail of the staff account to act as (default: the supplier's owner).",
)
@click.option(
    "--errors",
    "errors_path",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the error report here (.csv or .xlsx).",
)
def import_file(file: str, supplier_id: int, login: str | None, errors_path: str | None) -> None:
    """Import products, variants and stock from a CSV or XLSX file (see catalog/IMPORT.md)."""
    from pathlib import Path

    import sqlalchemy as sa

    from catalog import importer
    from yipin.accounts.models import Role, SupplierRole, User
    from yipin.errors import DomainError

    stmt = sa.select(User).where(User.supplier_id == supplier_id, User.is_active.is_(True))
    if login:
        stmt = stmt.where(sa.or_(User.phone == login, User.email == login.lower()))
    else:
        stmt = stmt.where(User.role == Role.SUPPLIER).order_by(
            (User.supplier_role != SupplierRole.OWNER), User.id
        )
    actor = db.session.scalars(stmt.limit(1)).first()
    if actor is None:
        raise click.ClickException(f"supplier {supplier_id} has no such active staff account")
    path = Path(file)
    try:
        job = importer.start_import(  # run here, with a progress bar: not queued
            db.session, actor, supplier_id, path.name, path.read_bytes(), enqueue=False
        )
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.text()) from exc
    db.session.commit()
    table = importer.open_table(path.read_bytes(), max_bytes=importer.max_bytes())
    with click.progressbar(length=table.count(), label=f"import #{job.id}", show_pos=True) as bar:
        importer.run_job(job.id, progress=bar.update)
    commit()
    job = db.session.get(type(job), job.id)
    click.echo(
        f"import #{job.id} {job.status}: {job.imported_rows} rows imported, "
        f"{job.error_rows} with errors, of {job.total_rows}"
    )
    if job.failure:
        click.echo(job.failure, err=True)
    for error in job.errors[:20]:
        click.echo(f"  row {error['row']} {error['column']}: {error['messages']['zh_CN']}")
    if len(job.errors) > 20:
        click.echo(f"  … {len(job.errors) - 20} more")
    if errors_path and job.errors:
        data = (
            importer.errors_xlsx(job)
            if errors_path.lower().endswith(".xlsx")
            else importer.errors_csv(job)
        )
        Path(errors_path).write_bytes(data)
        click.echo(f"error report written to {errors_path}")


@catalog_cli.command("generate")
@click.option(
    "--products", type=click.IntRange(min=0), required=True, help="Visible products wanted."
)
def generate_products(products: int) -> None:
    """Add generated listed products (benchmarks) until consumers see PRODUCTS of them.

    Idempotent: run again with the same number, nothing changes (see catalog/generate.py).
    """
    from catalog import generate

    missing = max(0, products - generate.visible_products(db.session))
    with click.progressbar(length=missing, label="generate", show_pos=True) as bar:
        try:
            added = generate.generate(db.session, products, commit=commit, progress=bar.update)
        except generate.NoSupplierCanSell as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from exc
    click.echo(
        f"catalog: {added} products generated, {generate.visible_products(db.session)} visible"
    )
    if added:
        click.echo("search: run `flask search reindex` to index them")
