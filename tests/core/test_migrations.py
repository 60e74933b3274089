"""Alembic: one head; upgrade → downgrade → upgrade on PostgreSQL; models match migrations."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from tests import testbed
from wsgi import create_app
from yipin.db import db


@pytest.fixture
def scratch_database():
    """An empty PostgreSQL database of its own (the suite's database stays untouched)."""
    url = testbed.require("postgres")
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    name = sa.engine.make_url(testbed.database_url(url)).database + "_migrations"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _script(app):
    return ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())


def test_migrations_have_a_single_head():
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    with app.app_context():
        heads = _script(app).get_heads()
    assert len(heads) == 1, f"several heads: {heads}"


def test_every_revision_has_a_downgrade():
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    with app.app_context():
        for revision in _script(app).walk_revisions():
            with open(revision.path, encoding="utf-8") as fh:
                body = fh.read().split("def downgrade", 1)[1]
            assert "op." in body, f"{revision.revision} has an empty downgrade"


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_downgrade_upgrade_on_postgresql(scratch_database):
    app = create_app({"TESTING": True, "DATABASE_URL": scratch_database})
    with app.app_context():
        upgrade()
        assert {"users", "suppliers", "products", "outbox_entries", "regions"} <= _tables()
        downgrade(revision="base")
        assert _tables() <= {"alembic_version"}
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        db.session.remove()
        db.engine.dispose()
        assert diff == [], f"models and migrations differ: {diff}"


def test_schema_builds_on_sqlite(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'm.sqlite3'}"})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        assert "products" in _tables()
