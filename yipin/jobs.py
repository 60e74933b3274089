"""The job queue: Redis + RQ when ``REDIS_URL`` is set, otherwise in-process execution.

Jobs take IDs, never objects, and use RQ's JSON serializer. Every job runs inside a Flask app
context: the worker's own (``flask --app wsgi jobs worker``), or, in a plain RQ worker
(``rq worker -c wsgi``), one built once per process by the factory that the composition root
gave ``build_apps_with``.
"""

from __future__ import annotations

import contextlib
import logging
import queue as queue_module
import threading
from collections.abc import Callable, Iterator
from typing import Any

from flask import Flask, current_app, has_app_context
from redis import Redis
from rq import Queue, SimpleWorker, Worker
from rq.serializers import JSONSerializer

log = logging.getLogger("yipin.jobs")
_worker_app: Flask | None = None
_app_factory: Callable[[], Flask] | None = None


def build_apps_with(factory: Callable[[], Flask]) -> None:
    """How a job outside any app context gets its app (the composition root calls this)."""
    global _app_factory
    _app_factory = factory


def redis_connection(url: str | None = None) -> Redis:
    """A Redis client that fails fast when the server is down."""
    return Redis.from_url(
        url or current_app.config["REDIS_URL"],
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=30,
    )


def uses_rq(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("REDIS_URL"))


def queue(app: Flask | None = None) -> Queue:
    app = app or current_app
    connection = app.extensions.get("yipin_redis")
    if connection is None:
        connection = app.extensions["yipin_redis"] = redis_connection(app.config["REDIS_URL"])
    return Queue(app.config["RQ_QUEUE"], connection=connection, serializer=JSONSerializer)


@contextlib.contextmanager
def job_app_context() -> Iterator[Flask]:
    """The current app, or (in a plain RQ worker) one app built for this process."""
    global _worker_app
    if has_app_context():
        yield current_app._get_current_object()  # type: ignore[attr-defined]
        return
    if _worker_app is None:
        if _app_factory is None:
            raise RuntimeError(
                "a job ran outside an app and no app factory is known: start workers with"
                " `flask --app wsgi jobs worker` or `rq worker -c wsgi`"
            )
        _worker_app = _app_factory()
    with _worker_app.app_context():
        yield _worker_app


def make_worker(app: Flask, *, simple: bool = False) -> Worker:
    """An RQ worker on the app's queue (``SimpleWorker`` runs jobs in this process)."""
    cls = SimpleWorker if simple else Worker
    q = queue(app)
    return cls([q], connection=q.connection, serializer=JSONSerializer)


def ping(app: Flask) -> dict[str, Any]:
    """Health of the job queue."""
    if not uses_rq(app):
        return {"ok": True, "mode": "embedded", "backend": "in-process"}
    try:
        q = queue(app)
        q.connection.ping()
        return {"ok": True, "mode": "real", "backend": "redis+rq", "queued": q.count}
    except Exception as exc:  # health reports, never raises
        return {"ok": False, "mode": "real", "backend": "redis+rq", "error": str(exc)}


# ----------------------------------------------------------------------------- background


class _Background:
    """One daemon thread per web process that runs heavy jobs on the embedded default (no
    Redis), so that the request which queued them answers at once. Work that dies with the
    process stays in the outbox and is dispatched again when it is stale."""

    def __init__(self) -> None:
        self.tasks: queue_module.Queue[tuple[Flask, Callable[..., Any], tuple[Any, ...]]] = (
            queue_module.Queue()
        )
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def submit(self, app: Flask, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._work, name="yipin-background", daemon=True
                )
                self.thread.start()
        self.tasks.put((app, fn, args))

    def _work(self) -> None:
        from yipin.db import db

        while True:
            app, fn, args = self.tasks.get()
            try:
                with app.app_context():
                    try:
                        fn(*args)
                    except Exception:  # recorded on its outbox entry; retried by backoff
                        log.warning("background job %s%r failed", fn.__name__, args, exc_info=True)
                    finally:
                        db.session.remove()
            finally:
                self.tasks.task_done()


_background = _Background()


def run_in_background(app: Flask, fn: Callable[..., Any], *args: Any) -> None:
    """Run ``fn(*args)`` in this process's background thread, inside ``app``'s context."""
    _background.submit(app, fn, args)


def wait_for_background() -> None:
    """Block until the background thread has run everything submitted so far (tests, and a
    command that must not exit before its work is done)."""
    _background.tasks.join()
