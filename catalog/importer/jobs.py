"""Bulk import: storing an upload, queueing the job, running (or resuming) it."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from catalog import actions as catalog_actions
from catalog.importer.files import (
    COMMIT_EVERY,
    MAX_BYTES,
    MAX_ROWS,
    TOPIC,
    ImportFileError,
    TooManyRows,
    open_table,
    sniff,
)
from catalog.importer.rows import Lookups, Run, process_row
from catalog.models import (
    ImportJob,
    ImportStatus,
    Product,
    Variant,
)
from yipin import clock, outbox
from yipin.accounts.models import Role, User
from yipin.db import db
from yipin.errors import DomainError, Forbidden, NotFound
from yipin.i18n import _l
from yipin.outbox.models import OutboxEntry, OutboxStatus
from yipin.outbox.service import NEW_IDS

# ----------------------------------------------------------------------------- uploads


def import_dir() -> Path:
    configured = current_app.config.get("IMPORT_DIR")
    path = Path(configured or os.path.join(current_app.config["MEDIA_DIR"], "imports"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stored_path(key: str) -> Path:
    return import_dir() / key[:2] / key


def max_bytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES", MAX_BYTES))


def start_import(
    session: Session,
    actor: User,
    supplier_id: int,
    filename: str,
    data: bytes,
    *,
    enqueue: bool = True,
) -> ImportJob:
    """Check the upload cheaply (size and kind, no row read: ``sniff``), keep it and queue the
    import job (or leave it to the caller to run, like the CLI). The job reads the file: a
    missing header row or a damaged workbook fails the job, with the reason on it."""
    if actor.role == Role.SUPPLIER:
        if supplier_id != actor.supplier_id:
            raise NotFound(field="supplier_id")
    elif actor.role != Role.OPERATOR:
        raise Forbidden()
    from suppliers.models import Supplier

    if session.get(Supplier, supplier_id) is None:
        raise NotFound(field="supplier_id")
    sniff(data, max_bytes=max_bytes())
    key = secrets.token_hex(16)
    path = _stored_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    name = os.path.basename((filename or "").replace("\\", "/")).strip()[:200] or "upload"
    job = ImportJob(
        supplier_id=supplier_id,
        filename=name,
        storage_key=key,
        status=ImportStatus.QUEUED,
        created_by_id=actor.id,
        errors=[],
    )
    session.add(job)
    session.flush()
    if enqueue:
        outbox.emit(session, TOPIC, {"job_id": job.id})
    return job


# ----------------------------------------------------------------------------- the job


def _last_outbox_id(session: Session) -> int:
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(OutboxEntry.id), 0))) or 0


def _coalesce_changes(session: Session, after_id: int) -> None:
    """Keep one pending ``catalog.product_changed`` entry per product among those written since
    ``after_id`` (each new variant writes one; the search index needs only the last), and make
    sure the kept ones are handed over after the commit."""
    rows = session.execute(
        sa.select(OutboxEntry.id, OutboxEntry.payload).where(
            OutboxEntry.id > after_id,
            OutboxEntry.topic == catalog_actions.PRODUCT_CHANGED,
            OutboxEntry.status == OutboxStatus.PENDING,
        )
    ).all()
    last: dict[Any, int] = {}
    for entry_id, payload in rows:
        product_id = (payload or {}).get("product_id")
        last[product_id] = max(entry_id, last.get(product_id, 0))
    keep = set(last.values())
    drop = {entry_id for entry_id, _payload in rows if entry_id not in keep}
    if drop:
        session.execute(sa.delete(OutboxEntry).where(OutboxEntry.id.in_(drop)))
    new: list[int] = [i for i in session.info.get(NEW_IDS, []) if i not in drop]
    session.info[NEW_IDS] = new + sorted(keep - set(new))


def _fail(session: Session, job: ImportJob, exc: DomainError) -> ImportJob:
    job.status = ImportStatus.FAILED
    texts = exc.texts()
    job.failure = f"{texts['zh_CN']}\n{texts['en']}"
    job.finished_at = clock.now()
    session.commit()
    return job


def run_job(
    job_id: int,
    *,
    progress: Callable[[int], None] | None = None,
    commit_every: int | None = None,
) -> ImportJob | None:
    """Run (or resume) an import job; commits its progress as it goes."""
    session = db.session
    job = session.get(ImportJob, job_id)
    if job is None or job.status in (ImportStatus.FINISHED, ImportStatus.FAILED):
        return job
    every = commit_every or int(current_app.config.get("IMPORT_COMMIT_EVERY", COMMIT_EVERY))
    path = _stored_path(job.storage_key)
    if not path.exists():
        return _fail(session, job, ImportFileError(_l("The uploaded file is no longer stored.")))
    try:
        table = open_table(path.read_bytes(), max_bytes=max_bytes())
        total = table.count()
        if total > int(current_app.config.get("IMPORT_MAX_ROWS", MAX_ROWS)):
            raise TooManyRows(n=current_app.config.get("IMPORT_MAX_ROWS", MAX_ROWS))
    except ImportFileError as exc:
        return _fail(session, job, exc)
    actor = session.get(User, job.created_by_id)
    assert actor is not None
    job.status = ImportStatus.RUNNING
    job.total_rows = total
    session.commit()

    supplier_id = job.supplier_id
    skus = dict(
        session.execute(
            sa.select(Variant.sku, Variant.id).where(Variant.supplier_id == supplier_id)
        )
        .tuples()
        .all()
    )
    names: dict[str, list[int]] = {}
    for pid, name in session.execute(
        sa.select(Product.id, Product.name).where(Product.supplier_id == supplier_id)
    ):
        names.setdefault(name, []).append(pid)
    run = Run(session, actor, job, Lookups(session, supplier_id).load(), skus, names)
    start = job.processed_rows
    imported = errors_in_chunk = 0
    new_errors: list[dict[str, Any]] = []
    mark = _last_outbox_id(session)
    done = start

    def save() -> None:
        nonlocal imported, errors_in_chunk, new_errors, mark
        _coalesce_changes(session, mark)
        job.processed_rows = done
        job.imported_rows += imported
        job.error_rows += errors_in_chunk
        if new_errors:
            job.errors = [*job.errors, *new_errors]
        session.commit()
        mark = _last_outbox_id(session)
        imported = errors_in_chunk = 0
        new_errors = []

    for index, (line, cells) in enumerate(table.rows()):
        if index < start:
            continue
        if index == start or (index - start) % every == 0:
            # a write first: on SQLite a transaction must not begin with a SAVEPOINT
            session.execute(
                sa.update(ImportJob).where(ImportJob.id == job.id).values(processed_rows=done)
            )
        error = process_row(run, line, cells, table.headers)
        if error is None:
            imported += 1
        else:
            errors_in_chunk += 1
            new_errors.append(error)
        done = index + 1
        if (done - start) % every == 0:
            save()
            if progress:
                progress(every)
    rest = (done - start) % every
    job.status = ImportStatus.FINISHED
    job.finished_at = clock.now()
    save()
    if progress and rest:
        progress(rest)
    path.unlink(missing_ok=True)
    return job
