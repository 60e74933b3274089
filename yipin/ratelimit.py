"""Where rate limits count: one store that every web process shares.

With ``REDIS_URL`` the limits count in Redis. On the embedded default (no Redis) they count in
the database, in ``rate_limit_counters``: one row per limit and key, incremented by one atomic
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (PostgreSQL and SQLite alike), so that N gunicorn
workers together allow exactly the configured number — never N times it, as counters in each
process's memory did. ``RATELIMIT_STORAGE_URI`` overrides both.

``DatabaseStorage`` is a storage of the ``limits`` library (fixed windows, what Flask-Limiter
uses by default) under the scheme ``yipin+db://``; it uses the app's engine in a transaction of
its own, never the request's session.
"""

from __future__ import annotations

import random
import time
from typing import Any, ClassVar

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.orm import Mapped, mapped_column

from yipin.db import Base

SCHEME = "yipin+db"
SWEEP_CHANCE = 0.01  # one hit in a hundred deletes the ended windows


class RateLimitCounter(Base):
    """A fixed window's count for one rate-limit key (the embedded default's limit store)."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[float] = mapped_column(sa.Float, index=True)  # epoch seconds


def storage_uri(config: Any) -> str:
    """Redis when configured, else the database."""
    return config.get("REDIS_URL") or f"{SCHEME}://"


class DatabaseStorage(Storage):
    """Rate-limit counters in the app's database (see the module's docstring)."""

    STORAGE_SCHEME: ClassVar[list[str]] = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sa.exc.SQLAlchemyError

    @staticmethod
    def _engine() -> sa.Engine:
        from yipin.db import db

        return db.engine

    @property
    def _table(self) -> sa.Table:
        return RateLimitCounter.__table__  # type: ignore[return-value]

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add ``amount`` to the key's window (a new window when the last one ended)."""
        engine = self._engine()
        table = self._table
        now = time.time()
        if engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        ended = table.c.expires_at <= now
        stmt = (
            insert(table)
            .values(key=key[:255], count=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "count": sa.case((ended, amount), else_=table.c.count + amount),
                    "expires_at": sa.case((ended, now + expiry), else_=table.c.expires_at),
                },
            )
            .returning(table.c.count)
        )
        with engine.begin() as conn:
            count = int(conn.execute(stmt).scalar_one())
        if random.random() < SWEEP_CHANCE:
            self.sweep()
        return count

    def _row(self, key: str) -> tuple[int, float] | None:
        table = self._table
        with self._engine().connect() as conn:
            row = conn.execute(
                sa.select(table.c.count, table.c.expires_at).where(table.c.key == key[:255])
            ).first()
        if row is None or row.expires_at <= time.time():
            return None
        return int(row.count), float(row.expires_at)

    def get(self, key: str) -> int:
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row[1] if row else time.time()

    def check(self) -> bool:
        try:
            with self._engine().connect() as conn:
                conn.execute(sa.select(sa.func.count()).select_from(self._table))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self._engine().begin() as conn:
            return int(conn.execute(sa.delete(self._table)).rowcount or 0)

    def clear(self, key: str) -> None:
        with self._engine().begin() as conn:
            conn.execute(sa.delete(self._table).where(self._table.c.key == key[:255]))

    def sweep(self) -> int:
        """Delete ended windows (the table stays small)."""
        with self._engine().begin() as conn:
            stmt = sa.delete(self._table).where(self._table.c.expires_at <= time.time())
            return int(conn.execute(stmt).rowcount or 0)
