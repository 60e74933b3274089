"""Writing, handing over and running outbox entries."""

from __future__ import annotations

import json
import logging
import traceback
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context
from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from yipin import clock, freshness, jobs
from yipin.db import commit, db
from yipin.outbox.models import OutboxEntry, OutboxStatus
from yipin.outbox.registry import get_handler, is_heavy

log = logging.getLogger("yipin.outbox")
# session.info keys; ``yipin.db`` drops both when the transaction that wrote them rolls back
NEW_IDS = "outbox_new_ids"  # entries written in the open transaction, handed over on commit
EMITTED = "outbox_emitted"  # (topic, payload) emitted in the open transaction


def emit(
    session: Session,
    topic: str,
    payload: dict[str, Any],
    *,
    delay: timedelta | None = None,
    once_per_transaction: bool = False,
) -> OutboxEntry | None:
    """Add an entry to the caller's transaction; it is dispatched after the commit.

    ``once_per_transaction`` skips an entry equal to one already emitted in this transaction
    (a 1,000-row import touching one product needs one search sync, not 1,000); returns None
    when it skipped.
    """
    get_handler(topic)  # fail now, not in a worker, when a topic has no handler
    freshness.topic_emitted(session, topic)  # its commit bumps the page versions it changes
    if once_per_transaction:
        key = (topic, json.dumps(payload, sort_keys=True, default=str))
        emitted = session.info.setdefault(EMITTED, set())
        if key in emitted:
            return None
        emitted.add(key)
    entry = OutboxEntry(topic=topic, payload=payload)
    if delay:
        entry.next_attempt_at = clock.now() + delay
    session.add(entry)
    session.flush()
    if not delay:
        session.info.setdefault(NEW_IDS, []).append(entry.id)
    return entry


def take_new_ids(session: Session) -> list[int]:
    return session.info.pop(NEW_IDS, [])


def kick(ids: list[int]) -> None:
    """Hand just-committed entries over at once (the dispatcher catches any left behind)."""
    if not ids:
        return
    entries = db.session.scalars(
        sa.select(OutboxEntry)
        .where(OutboxEntry.id.in_(ids), OutboxEntry.status == OutboxStatus.PENDING)
        .order_by(OutboxEntry.id)
    ).all()
    _hand_over(list(entries))


def dispatch_due(limit: int = 200) -> int:
    """Hand over entries that are due (new, retry time reached, or stale in the queue)."""
    now = clock.now()
    stale = now - timedelta(seconds=current_app.config["OUTBOX_STALE_AFTER_SECONDS"])
    query = (
        sa.select(OutboxEntry)
        .where(
            sa.or_(
                sa.and_(
                    OutboxEntry.status == OutboxStatus.PENDING,
                    OutboxEntry.next_attempt_at <= now,
                ),
                sa.and_(
                    OutboxEntry.status == OutboxStatus.DISPATCHED,
                    OutboxEntry.dispatched_at < stale,
                ),
            )
        )
        .order_by(OutboxEntry.next_attempt_at, OutboxEntry.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    entries = list(db.session.scalars(query))
    return _hand_over(entries)


def _hand_over(entries: list[OutboxEntry]) -> int:
    if not entries:
        db.session.commit()  # release row locks
        return 0
    if not jobs.uses_rq():
        in_request = has_request_context()
        later = [e for e in entries if in_request and is_heavy(e.topic)]
        for entry in later:  # the background thread has them (the sweep leaves them alone)
            entry.status = OutboxStatus.DISPATCHED
            entry.dispatched_at = clock.now()
        ids = [e.id for e in entries if e not in later]
        later_ids = [e.id for e in later]
        db.session.commit()
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        for entry_id in later_ids:
            jobs.run_in_background(app, run_entry, entry_id)
        for entry_id in ids:
            try:
                run_entry(entry_id)
            except Exception:  # recorded on the entry by run_entry; retried by backoff
                log.warning("outbox entry %s failed in-process", entry_id, exc_info=True)
        return len(ids) + len(later_ids)

    q = jobs.queue()
    handed = 0
    for entry in entries:
        job_id = f"outbox-{entry.id}-{entry.attempts + 1}"
        try:
            q.enqueue_call(
                "yipin.outbox.service.run_entry",
                args=(entry.id,),
                job_id=job_id,
                description=f"outbox {entry.topic} #{entry.id}",
                result_ttl=3600,
                failure_ttl=7 * 86400,
            )
        except RedisError as exc:
            log.warning("redis unavailable, outbox entry %s stays pending: %s", entry.id, exc)
            break
        entry.status = OutboxStatus.DISPATCHED
        entry.dispatched_at = clock.now()
        entry.job_id = job_id
        handed += 1
    db.session.commit()
    return handed


def run_entry(entry_id: int) -> None:
    """The job: run one entry's handler, record the outcome. Re-raises so RQ sees failures."""
    with jobs.job_app_context() as app:
        entry = db.session.get(OutboxEntry, entry_id)
        if entry is None or entry.status in (OutboxStatus.DONE, OutboxStatus.FAILED):
            return
        topic, payload = entry.topic, dict(entry.payload)
        db.session.rollback()
        try:
            get_handler(topic)(payload)
            db.session.flush()
        except Exception as exc:
            db.session.rollback()
            _record_failure(app.config, entry_id, exc)
            raise
        entry = db.session.get(OutboxEntry, entry_id)
        assert entry is not None
        entry.status = OutboxStatus.DONE
        entry.attempts += 1
        entry.done_at = clock.now()
        entry.last_error = None
        commit()
        log.debug("outbox entry %s %s done", entry_id, topic)


def _record_failure(config: Any, entry_id: int, exc: Exception) -> None:
    entry = db.session.get(OutboxEntry, entry_id)
    if entry is None:
        return
    entry.attempts += 1
    entry.last_error = "".join(traceback.format_exception_only(exc)).strip()[:4000]
    backoff = config["OUTBOX_BACKOFF_SECONDS"]
    if entry.attempts >= config["OUTBOX_MAX_ATTEMPTS"]:
        entry.status = OutboxStatus.FAILED
        log.error("outbox entry %s failed for good: %s", entry_id, entry.last_error)
    else:
        wait = backoff[min(entry.attempts - 1, len(backoff) - 1)]
        entry.status = OutboxStatus.PENDING
        entry.next_attempt_at = clock.now() + timedelta(seconds=wait)
    db.session.commit()


def retry_failed(entry_id: int) -> None:
    """Operator action: put a failed entry back in the queue."""
    entry = db.session.get(OutboxEntry, entry_id)
    if entry is None or entry.status != OutboxStatus.FAILED:
        return
    entry.status = OutboxStatus.PENDING
    entry.next_attempt_at = clock.now()
    entry.attempts = 0


def stats() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(OutboxEntry.status, sa.func.count()).group_by(OutboxEntry.status)
    ).all()
    return {str(status): count for status, count in rows}
