"""The search component: which engine serves, the Elasticsearch client, and its health.

Elasticsearch serves when ``ELASTICSEARCH_URL`` is set and it answers. When a call fails for
want of the server, the engine is marked down and the SQL engine serves every search for
``SEARCH_RETRY_SECONDS``; then Elasticsearch is tried again. When it answers again, the index
updates that could not be made meanwhile are pulled forward (``search.index.catch_up``).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import elastic_transport
from elasticsearch import ApiError, Elasticsearch
from flask import Flask, current_app

log = logging.getLogger("yipin.search")

# Errors that mean "the server is not there" (versus a bad request, which is our bug).
UNAVAILABLE = (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout)


def uses_elasticsearch(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("ELASTICSEARCH_URL"))


def client(app: Flask | None = None) -> Elasticsearch:
    """The app's Elasticsearch client (one per app)."""
    app = app or current_app
    es = app.extensions.get("yipin_es")
    if es is None:
        es = app.extensions["yipin_es"] = Elasticsearch(
            app.config["ELASTICSEARCH_URL"], request_timeout=10, retry_on_timeout=True
        )
    return es


def search_client(app: Flask | None = None) -> Elasticsearch:
    """The client for consumer searches: a short timeout and no retries (the SQL engine
    answers instead)."""
    app = app or current_app
    return client(app).options(
        request_timeout=app.config.get("SEARCH_TIMEOUT_SECONDS", 3), max_retries=0
    )


@dataclass
class Breaker:
    """Whether Elasticsearch is believed down, since when, and when to try it again."""

    down_since: float | None = None
    retry_at: float = 0.0
    error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def breaker(app: Flask | None = None) -> Breaker:
    app = app or current_app
    state = app.extensions.get("yipin_search_breaker")
    if state is None:
        state = app.extensions["yipin_search_breaker"] = Breaker()
    return state


def available(app: Flask | None = None) -> bool:
    """Elasticsearch is configured and not marked down (or it is time to try it again)."""
    app = app or current_app
    if not uses_elasticsearch(app):
        return False
    state = breaker(app)
    return state.down_since is None or time.monotonic() >= state.retry_at


def mark_down(exc: BaseException, app: Flask | None = None) -> None:
    app = app or current_app
    state = breaker(app)
    with state.lock:
        first = state.down_since is None
        state.down_since = state.down_since or time.monotonic()
        state.retry_at = time.monotonic() + float(app.config.get("SEARCH_RETRY_SECONDS", 10))
        state.error = str(exc)[:300]
    if first:
        log.warning("elasticsearch unavailable, the SQL engine serves searches: %s", exc)


def mark_up(app: Flask | None = None) -> bool:
    """Record a successful call; True when the engine was down until now (catch up)."""
    app = app or current_app
    state = breaker(app)
    if state.down_since is None:
        return False
    with state.lock:
        was_down = state.down_since is not None
        state.down_since = None
        state.error = None
    if was_down:
        log.warning("elasticsearch answers again: searches are back on it")
    return was_down


def is_unavailable(exc: BaseException) -> bool:
    """The server is not there (or answers 5xx): fall back, retry later."""
    if isinstance(exc, UNAVAILABLE):
        return True
    return isinstance(exc, ApiError) and exc.meta.status >= 500


def ping(app: Flask) -> dict[str, Any]:
    """Health of the search component. It is ``ok`` while searches are answered — by the
    SQL engine when Elasticsearch is down (``fallback`` says so), so a down search server
    degrades quality, not service."""
    if not uses_elasticsearch(app):
        return {"ok": True, "mode": "embedded", "backend": "sql-fallback"}
    try:
        health = client(app).options(request_timeout=3, max_retries=0).cluster.health()
        ok = health["status"] in ("green", "yellow")
        return {
            "ok": ok,
            "mode": "real",
            "backend": "elasticsearch",
            "cluster_status": health["status"],
            "fallback": "sql",
        }
    except Exception as exc:  # health reports, never raises
        return {
            "ok": False,
            "mode": "real",
            "backend": "elasticsearch",
            "error": str(exc)[:300],
            "fallback": "sql",
            "serving": "sql-fallback",
        }
