"""The versions of what public pages show (the catalog version), bumped when a change commits.

Cached pages (``yipin.pagecache``) are keyed by these versions, so a page is never older than
the last committed change to what it shows. There are three scopes:

- ``catalog``: anything a storefront or traceability page shows (listing, price, content,
  images, batches and their tests, certificates, brands and their authorisations, a
  supplier's right to sell). Every page depends on it.
- ``stock``: units on hand or held. Only the search page shows availability (its "in stock"
  facet), so a checkout that holds stock flushes search pages, not every page.
- ``search``: the search index was rewritten (its job commits after the catalog's change).

A transaction marks what it changed, and its commit bumps those versions at once, before the
request (or job) that committed goes on: ``INCR`` in Redis when ``REDIS_URL`` is set, otherwise
one row per scope in ``page_versions``. On PostgreSQL that row is updated in a short
transaction of its own right after the commit (never a row lock inside the committing
transaction, such as a checkout's); on SQLite inside the committing transaction, which already
holds the database's one write lock (a second connection would wait on this one).

A transaction marks a scope in two ways: by emitting an outbox topic that a domain registered
as changing pages (``Domain.page_topics``, e.g. ``catalog.product_changed`` → ``catalog``),
or by calling :func:`changed` (stock holds, brand authorisations).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, has_app_context
from sqlalchemy.orm import Mapped, Session, mapped_column

from yipin.db import Base

log = logging.getLogger("yipin.freshness")
SCOPES = ("catalog", "stock", "search")
PENDING = "pages_changed"  # session.info: scopes changed in the open transaction
REDIS_KEY = "yipin:page-version:{scope}"
READ_SQL = "SELECT scope, version FROM page_versions"


class PageVersion(Base):
    """One scope's version (the embedded default's store; Redis holds them when configured)."""

    __tablename__ = "page_versions"

    scope: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


def changed(session: Session, *scopes: str) -> None:
    """Mark the open transaction as changing what pages show (``catalog`` when no scope is
    given); its commit bumps those versions."""
    unknown = set(scopes) - set(SCOPES)
    if unknown:
        raise ValueError(f"not a page scope: {sorted(unknown)}")
    session.info.setdefault(PENDING, set()).update(scopes or ("catalog",))


def topic_emitted(session: Session, topic: str) -> None:
    """The outbox calls this for every entry: a topic registered as changing pages marks
    its scope."""
    if not has_app_context():
        return
    platform = current_app.extensions.get("yipin.platform")
    scope = platform.page_topics.get(topic) if platform is not None else None
    if scope:
        changed(session, scope)


# ----------------------------------------------------------------------------- the store


def _redis(app: Any) -> Any:
    client = app.extensions.get("yipin.page_versions")
    if client is None:
        from yipin.jobs import redis_connection

        client = app.extensions["yipin.page_versions"] = redis_connection(app.config["REDIS_URL"])
    return client


def bump(scopes: Iterable[str]) -> None:
    """Add one to each scope's version (after a commit; never inside a transaction)."""
    from yipin.db import db

    scopes = sorted(set(scopes))
    if not scopes:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        if app.config.get("REDIS_URL"):
            pipe = _redis(app).pipeline(transaction=False)
            for scope in scopes:
                pipe.incr(REDIS_KEY.format(scope=scope))
            pipe.execute()
        else:  # PostgreSQL: a short transaction of its own (no row lock in the committed one)
            stmt, rows = _upsert(scopes, db.engine.dialect.name)
            with db.engine.begin() as conn:
                conn.execute(stmt, rows)
    except Exception:  # the change is committed; cached pages expire by PAGE_CACHE_TIMEOUT
        log.error("could not bump page versions %s", scopes, exc_info=True)
        return
    g.pop("page_versions", None)  # this request reads the new ones


def read() -> dict[str, int] | None:
    """The current versions (read once per request); None when the store cannot be read (the
    caller serves the page uncached)."""
    from yipin.db import db

    cached = g.get("page_versions")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        if app.config.get("REDIS_URL"):
            values = _redis(app).mget([REDIS_KEY.format(scope=s) for s in SCOPES])
            versions = {s: int(v or 0) for s, v in zip(SCOPES, values, strict=True)}
        else:
            # the cheapest statement the session can send: no ORM, no compilation
            rows = db.session.connection().exec_driver_sql(READ_SQL).all()
            versions = dict.fromkeys(SCOPES, 0) | {str(s): int(v) for s, v in rows}
    except Exception:
        log.warning("page versions unreadable: pages are served uncached", exc_info=True)
        if not app.config.get("REDIS_URL"):
            db.session.rollback()
        return None
    g.page_versions = versions
    return versions


# ----------------------------------------------------------------------------- commit hooks


def _upsert(scopes: Iterable[str], dialect: str) -> Any:
    table = PageVersion.__table__
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table).on_conflict_do_update(
        index_elements=[table.c.scope], set_={"version": table.c.version + 1}
    )
    return stmt, [{"scope": scope, "version": 1} for scope in sorted(scopes)]


@sa.event.listens_for(Session, "before_commit")
def _bump_in_sqlite_commit(session: Session) -> None:
    """On SQLite the committing transaction already holds the one write lock the database
    has, so the versions are bumped inside it, atomically with the change (a second
    connection would wait for this one's readers)."""
    scopes = session.info.get(PENDING)
    if not scopes or not has_app_context() or current_app.config.get("REDIS_URL"):
        return
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return
    session.info.pop(PENDING, None)
    stmt, rows = _upsert(scopes, "sqlite")
    session.execute(stmt, rows)
    g.pop("page_versions", None)


@sa.event.listens_for(Session, "after_commit")
def _bump_after_commit(session: Session) -> None:
    scopes = session.info.pop(PENDING, None)
    if scopes and has_app_context():
        bump(scopes)


@sa.event.listens_for(Session, "after_soft_rollback")
def _forget_marks(session: Session, previous: Any) -> None:
    if previous.parent is None:
        session.info.pop(PENDING, None)
