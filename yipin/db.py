"""Database: the declarative base, column types and the session's extension object."""

from __future__ import annotations

import contextlib
import enum
import logging
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.orm import registry as sa_registry

from yipin import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use yipin.clock.now() or an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with constraint naming and the project's column types."""

    registry = sa_registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            datetime: UTCDateTime(),
            dict[str, Any]: sa.JSON().with_variant(JSONB(), "postgresql"),
            list[Any]: sa.JSON().with_variant(JSONB(), "postgresql"),
        },
    )


AUTOCOMMIT_READS = "reads_without_transaction"  # session.info: this page's reads autocommit
_autocommit_engines: weakref.WeakKeyDictionary[sa.Engine, sa.Engine] = weakref.WeakKeyDictionary()


class Session(FlaskSession):
    """``db.session``: Flask-SQLAlchemy's, plus reads without a transaction on PostgreSQL
    while :func:`reads_without_transaction` says so."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        bind = super().get_bind(*args, **kwargs)
        if self.info.get(AUTOCOMMIT_READS) and isinstance(bind, sa.Engine):
            autocommit = _autocommit_engines.get(bind)
            if autocommit is None:
                autocommit = bind.execution_options(isolation_level="AUTOCOMMIT")
                _autocommit_engines[bind] = autocommit
            return autocommit
        return bind


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})


@contextlib.contextmanager
def reads_without_transaction() -> Iterator[None]:
    """Run a read-only page's statements on PostgreSQL in autocommit: no ``BEGIN``, no
    ``ROLLBACK``, and psycopg's prepared statements kept from one request to the next.

    A request's transaction ends with a ``ROLLBACK`` (the session's close), and psycopg
    forgets every prepared statement of the connection at a rollback: a statement is prepared
    once a connection has seen it five times, but only within one transaction, so no page's
    statement ever was, and each was parsed and planned afresh on every request (planning was
    most of the server's time: 2–16 ms a page). Without a transaction, what the pool's
    connections have seen five times is prepared and planned once. Under READ COMMITTED,
    PostgreSQL's default, every statement of a transaction reads its own snapshot anyway, so
    the page reads what it read inside one.

    For GET pages that only read (the cached pages), and only when the session has not begun
    a transaction (nothing of the request's own is pending). The connection is taken at the
    first statement (a page served from Redis takes none) from the same pool, set to
    autocommit for this use only (the pool restores it); the session's transaction is ended
    afterwards, so nothing else of the request runs in autocommit. SQLite is left as it is
    (a read there takes no round trip)."""
    session = db.session()
    if session.in_transaction() or db.engine.dialect.name != "postgresql":
        yield
        return
    session.info[AUTOCOMMIT_READS] = True
    try:
        yield
    finally:
        try:
            if session.in_transaction():
                session.rollback()  # nothing to undo on the server: gives the connection back
        finally:
            session.info.pop(AUTOCOMMIT_READS, None)


def enum_column(enum_cls: type[enum.Enum], **kw: Any) -> Any:
    """A string column holding a StrEnum's values (portable, no native ENUM type)."""
    length = max(len(str(m.value)) for m in enum_cls) + 8
    return mapped_column(
        sa.Enum(
            enum_cls,
            native_enum=False,
            length=length,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
            create_constraint=False,
        ),
        **kw,
    )


class TimestampMixin:
    """created_at / updated_at columns set from the project clock."""

    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


def commit() -> None:
    """Commit the unit of work, then hand the outbox entries it wrote to the job queue.

    Views, jobs and CLI commands call this once per unit of work. Handing over is best effort:
    whatever fails to go now is picked up by the outbox dispatcher.
    """
    from yipin.outbox.service import kick, take_new_ids

    db.session.commit()
    ids = take_new_ids(db.session)
    if not ids:
        return
    try:
        kick(ids)
    except Exception:  # the entries are committed; the dispatcher retries them
        db.session.rollback()
        logging.getLogger("yipin.outbox").warning("outbox kick failed", exc_info=True)


@sa.event.listens_for(sa.orm.Session, "after_soft_rollback")
def _forget_outbox_ids(session: sa.orm.Session, previous: sa.orm.SessionTransaction) -> None:
    """A rollback: what it emitted may be emitted again; when the outermost transaction rolled
    back its outbox entries were never written, so their ids are dropped too (a savepoint's
    rollback, one bad import row, keeps the ids of the rows before it)."""
    session.info.pop("outbox_emitted", None)  # a rolled-back entry may be needed again
    if previous.parent is None:
        session.info.pop("outbox_new_ids", None)


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _forget_emitted(session: sa.orm.Session) -> None:
    session.info.pop("outbox_emitted", None)
