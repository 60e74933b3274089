"""The transactional outbox: written with the change, delivered after commit, never lost."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from tests import testbed
from yipin import clock, outbox
from yipin.db import commit, db
from yipin.outbox import service
from yipin.outbox.models import OutboxEntry, OutboxStatus

DELIVERED: list[dict[str, Any]] = []
FAILURES: dict[str, int] = {}


@outbox.handler("test.record")
def record(payload: dict[str, Any]) -> None:
    DELIVERED.append(payload)


@outbox.handler("test.flaky")
def flaky(payload: dict[str, Any]) -> None:
    key = payload["key"]
    FAILURES[key] = FAILURES.get(key, 0) + 1
    if FAILURES[key] <= payload["fail_times"]:
        raise RuntimeError(f"carrier timeout #{FAILURES[key]}")
    DELIVERED.append(payload)


@pytest.fixture(autouse=True)
def _reset() -> None:
    DELIVERED.clear()
    FAILURES.clear()


def _entry(entry_id: int) -> OutboxEntry:
    db.session.expire_all()
    entry = db.session.get(OutboxEntry, entry_id)
    assert entry is not None
    return entry


def test_entry_is_written_in_the_same_transaction(app):
    outbox.emit(db.session, "test.record", {"n": 1})
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEntry)) == 0
    entry = outbox.emit(db.session, "test.record", {"n": 2})
    commit()
    assert _entry(entry.id).topic == "test.record"


def test_unknown_topic_fails_at_once(app):
    with pytest.raises(LookupError):
        outbox.emit(db.session, "test.nobody-listens", {})


def test_delivered_by_a_real_rq_worker_after_commit(app, jobs):
    entry = outbox.emit(db.session, "test.record", {"order": "YP1"})
    commit()  # hands it to RQ at once
    assert _entry(entry.id).status == OutboxStatus.DISPATCHED
    assert jobs.run() == 1
    assert DELIVERED == [{"order": "YP1"}]
    done = _entry(entry.id)
    assert done.status == OutboxStatus.DONE and done.attempts == 1 and done.done_at


def test_failures_are_retried_with_backoff_then_recorded(app, jobs):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    clock.freeze(clock.now())
    entry = outbox.emit(db.session, "test.flaky", {"key": "a", "fail_times": 5})
    commit()
    jobs.run()
    first = _entry(entry.id)
    assert first.status == OutboxStatus.PENDING and first.attempts == 1
    assert "carrier timeout #1" in first.last_error
    backoff = app.config["OUTBOX_BACKOFF_SECONDS"]
    assert first.next_attempt_at == clock.now() + timedelta(seconds=backoff[0])

    jobs.run()  # not due yet: nothing happens
    assert _entry(entry.id).attempts == 1
    clock.advance(timedelta(seconds=backoff[0]))
    jobs.run()
    assert _entry(entry.id).attempts == 2
    clock.advance(timedelta(seconds=backoff[1]))
    jobs.run()
    final = _entry(entry.id)
    assert final.status == OutboxStatus.FAILED and final.attempts == 3
    assert "carrier timeout #3" in final.last_error
    assert DELIVERED == []

    service.retry_failed(entry.id)  # an operator puts it back
    commit()
    FAILURES["a"] = 100  # the carrier is back
    jobs.run()
    assert _entry(entry.id).status == OutboxStatus.DONE and len(DELIVERED) == 1


def test_a_retry_succeeds_and_delivers_once(app, jobs):
    clock.freeze(clock.now())
    entry = outbox.emit(db.session, "test.flaky", {"key": "b", "fail_times": 1})
    commit()
    jobs.run()
    clock.advance(timedelta(hours=1))
    jobs.run()
    assert _entry(entry.id).status == OutboxStatus.DONE
    assert DELIVERED == [{"key": "b", "fail_times": 1}]


@pytest.fixture
def stoppable_redis(request: pytest.FixtureRequest) -> testbed.Redis | None:
    """Tests that stop Redis get one of their own (``real_config`` below points the app at it)."""
    if "stoppable" not in request.keywords:
        return None
    return request.getfixturevalue("private_redis")


@pytest.fixture
def real_config(real_config: dict[str, Any], stoppable_redis: testbed.Redis | None):
    if stoppable_redis is None:
        return real_config
    return {**real_config, "REDIS_URL": stoppable_redis.url}


@pytest.mark.stoppable
def test_entry_written_while_redis_is_down_is_delivered_when_it_returns(app, jobs, stoppable_redis):
    redis_server = stoppable_redis
    redis_server.stop()
    try:
        assert not redis_server.is_running()
        entry = outbox.emit(db.session, "test.record", {"order": "YP-while-down"})
        commit()  # the commit succeeds; handing over fails quietly
        pending = _entry(entry.id)
        assert pending.status == OutboxStatus.PENDING
        assert service.dispatch_due() == 0  # the dispatcher keeps it while Redis is down
        assert _entry(entry.id).status == OutboxStatus.PENDING
    finally:
        redis_server.start()
    assert redis_server.is_running()
    assert jobs.run() == 1  # the dispatcher hands it over; a real worker runs it
    assert DELIVERED == [{"order": "YP-while-down"}]
    assert _entry(entry.id).status == OutboxStatus.DONE


@pytest.mark.stoppable
def test_the_site_keeps_working_while_redis_is_down(app, client, stoppable_redis):
    """Logins (rate limiter on Redis) and changes still work; /healthz tells the truth."""
    from tests import factories
    from tests.conftest import login

    redis_server = stoppable_redis
    owner = factories.supplier_staff(owner=True)
    db.session.commit()
    redis_server.stop()
    try:
        login(client, owner)
        response = client.api(
            "PATCH", f"/api/v1/suppliers/{owner.supplier_id}", json={"introduction": "停电也要卖橙"}
        )
        assert response.status_code == 200
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json["components"]["jobs"]["ok"] is False
    finally:
        redis_server.start()
    health = client.get("/healthz")
    assert health.json["components"]["jobs"]["ok"] is True


def test_stale_dispatched_entries_are_handed_over_again(app, jobs):
    clock.freeze(clock.now())
    entry = outbox.emit(db.session, "test.record", {"n": 3})
    commit()
    # the worker died with the job: Redis lost it
    from yipin import jobs as job_queue

    job_queue.queue(app).empty()
    assert jobs.run() == 0
    clock.advance(timedelta(seconds=app.config["OUTBOX_STALE_AFTER_SECONDS"] + 1))
    assert jobs.run() == 1
    assert _entry(entry.id).status == OutboxStatus.DONE


@pytest.mark.both_databases
def test_in_process_delivery_on_the_embedded_default(embedded_app):
    entry = outbox.emit(db.session, "test.record", {"n": 4})
    commit()  # no Redis: runs in this process right after the commit
    assert DELIVERED == [{"n": 4}]
    assert _entry(entry.id).status == OutboxStatus.DONE


def test_in_process_failure_is_retried_by_the_sweep(embedded_app):
    clock.freeze(clock.now())
    entry = outbox.emit(db.session, "test.flaky", {"key": "c", "fail_times": 1})
    commit()
    assert _entry(entry.id).status == OutboxStatus.PENDING
    clock.advance(timedelta(minutes=5))
    service.dispatch_due()
    assert _entry(entry.id).status == OutboxStatus.DONE
