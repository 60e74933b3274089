"""Command-line: ``flask setup``, ``flask seed demo``, ``flask regions load``, the outbox
dispatcher, RQ workers, account creation and image renditions. Long commands show progress."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from yipin.db import commit, db

regions_cli = AppGroup("regions", help="Region reference data.")
outbox_cli = AppGroup("outbox", help="The transactional outbox.")
jobs_cli = AppGroup("jobs", help="Background job workers (RQ).")
users_cli = AppGroup("users", help="Accounts.")
seed_cli = AppGroup("seed", help="Reference and demo data.")
media_cli = AppGroup("media", help="Uploaded images.")


@regions_cli.command("load")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def regions_load(files: tuple[Path, ...]) -> None:
    """Load every province, city and county, 赣州市 down to the village, and the townships and
    villages in FILES (CSV with code and name columns) of another platform region. Idempotent."""
    from yipin.regions.loader import load_regions, row_count

    total = row_count(files)
    with click.progressbar(length=total, label="regions", show_pos=True) as bar:
        added = load_regions(db.session, progress=bar.update, extra=files)
    commit()
    click.echo(f"regions: {added} added, {total - added} already present")


@outbox_cli.command("run")
@click.option("--once", is_flag=True, help="Dispatch what is due and exit.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between sweeps.")
def outbox_run(once: bool, interval: float) -> None:
    """Hand due outbox entries to the job queue (RQ) or run them in-process, forever."""
    from yipin.outbox import service

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    click.echo(
        f"outbox dispatcher: {'rq' if current_app.config.get('REDIS_URL') else 'in-process'}"
    )
    while not stopping:
        try:
            handed = service.dispatch_due()
        except Exception as exc:  # keep the dispatcher alive through a database blip
            db.session.rollback()
            click.echo(f"outbox dispatcher: sweep failed: {exc}", err=True)
            handed = 0
        if handed:
            click.echo(f"outbox dispatcher: handed over {handed}")
        if once:
            break
        if not handed:
            time.sleep(interval)
        db.session.remove()


@outbox_cli.command("stats")
def outbox_stats() -> None:
    """Count entries by status."""
    from yipin.outbox import service

    for status, count in sorted(service.stats().items()):
        click.echo(f"{status:12} {count}")


@outbox_cli.command("retry")
@click.argument("entry_id", type=int)
def outbox_retry(entry_id: int) -> None:
    """Put a failed entry back in the queue."""
    from yipin.outbox import service

    service.retry_failed(entry_id)
    commit()


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
def jobs_worker(burst: bool) -> None:
    """Run an RQ worker on the app's queue (needs YIPIN_REDIS_URL)."""
    from yipin import jobs

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if not jobs.uses_rq(app):
        raise click.ClickException("set YIPIN_REDIS_URL: without Redis jobs run in-process")
    worker = jobs.make_worker(app)
    worker.work(burst=burst, with_scheduler=True)


@users_cli.command("create")
@click.option("--role", type=click.Choice(["operator", "bureau"]), required=True)
@click.option("--login", required=True, help="Phone or e-mail.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "display_name", required=True)
@click.option(
    "--region", "bureau_region_code", default=None, help="Bureau scope (the platform's region)."
)
def users_create(role: str, login: str, password: str, display_name: str, **kw: Any) -> None:
    """Create an operator or bureau account (the first operator is made this way)."""
    from yipin.accounts import passwords
    from yipin.accounts.actions import check_password_strength, parse_login
    from yipin.accounts.models import Role, User

    login_id = parse_login(login)
    check_password_strength(password)
    user = User(
        phone=login_id.phone,
        email=login_id.email,
        password_hash=passwords.hash_password(password),
        display_name=display_name,
        role=Role(role),
        bureau_region_code=kw.get("bureau_region_code") if role == "bureau" else None,
    )
    db.session.add(user)
    commit()
    click.echo(f"created {role} account {user.login}")


@seed_cli.command("reference")
def seed_reference() -> None:
    """Regions, categories, grade standards and regional brands (idempotent)."""
    from yipin.seed import seed_reference_data

    seed_reference_data(echo=click.echo)


@seed_cli.command("demo")
@click.option("--seed", "random_seed", default=20261123, show_default=True)
def seed_demo(random_seed: int) -> None:
    """A believable Ganzhou platform: suppliers, catalog, accounts (prints the logins)."""
    from yipin.seed import seed_demo_data

    seed_demo_data(random_seed=random_seed, echo=click.echo)


@click.command("setup")
def setup() -> None:
    """Create or upgrade the schema and load the reference data."""
    from flask_migrate import upgrade

    click.echo("schema: upgrading to head")
    upgrade()
    from yipin.seed import seed_reference_data

    seed_reference_data(echo=click.echo)


@media_cli.command("renditions")
@click.option("--batch", default=50, show_default=True, help="Images per commit.")
def media_renditions(batch: int) -> None:
    """Give every stored image the WebP renditions it lacks (added to RENDITIONS after it was
    uploaded), from its original. Idempotent: run it after an upgrade that adds a size."""
    import sqlalchemy as sa

    from yipin.media import images
    from yipin.media.models import Image

    ids = list(db.session.scalars(sa.select(Image.id).order_by(Image.id)))
    added = failed = 0
    with click.progressbar(ids, label="renditions", show_pos=True) as bar:
        for number, image_id in enumerate(bar, 1):
            image = db.session.get(Image, image_id)
            if image is None:
                continue
            try:
                added += bool(images.add_missing_renditions(image))
            except OSError as exc:  # its files are gone or unreadable: say so and go on
                failed += 1
                click.echo(f"\nimage {image_id}: {exc}", err=True)
            if number % batch == 0:
                commit()
                db.session.expunge_all()
    commit()
    click.echo(f"renditions: {added} images completed, {len(ids) - added - failed} had all")
    if failed:
        click.echo(f"renditions: {failed} images could not be read", err=True)


def init_app(app: Flask) -> None:
    """The core's commands; each domain adds its groups through its ``Domain``."""
    for group in (regions_cli, outbox_cli, jobs_cli, users_cli, seed_cli, media_cli):
        app.cli.add_command(group)
    app.cli.add_command(setup)
