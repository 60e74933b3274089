"""PostgreSQL: a cached page's reads run outside a transaction so that psycopg's prepared
statements outlive the request (planned once, not on every request), and an installation
behind PgBouncer in transaction mode can turn preparing off (``DATABASE_PREPARED_STATEMENTS``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import _app_with
from yipin.db import db, reads_without_transaction

STATEMENT = sa.text("SELECT count(*) FROM products WHERE id > :n")


def _prepared_after_six_requests() -> int:
    """Read the same statement in six "requests" (each ends as a request ends), then count
    what the pool's one connection holds prepared."""
    for _ in range(6):
        with reads_without_transaction():
            db.session.execute(STATEMENT, {"n": 0})
        db.session.remove()
    with db.engine.connect() as conn:
        return conn.scalar(
            sa.text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE :s"),
            {"s": "%FROM products WHERE id >%"},
        )


@pytest.fixture
def one_connection(postgres_url: str, media_dir: Any) -> dict[str, Any]:
    return {
        "DATABASE_URL": postgres_url,
        "MEDIA_DIR": str(media_dir),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0},
    }


@pytest.fixture
def preparing(one_connection: dict[str, Any]) -> Iterator[Flask]:
    yield from _app_with(one_connection)


@pytest.fixture
def not_preparing(one_connection: dict[str, Any]) -> Iterator[Flask]:
    yield from _app_with({**one_connection, "DATABASE_PREPARED_STATEMENTS": False})


def test_a_page_statement_is_prepared_once_and_kept_across_requests(preparing: Flask) -> None:
    assert _prepared_after_six_requests() == 1


def test_preparing_can_be_turned_off_for_pgbouncer(not_preparing: Flask) -> None:
    assert _prepared_after_six_requests() == 0
