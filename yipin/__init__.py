"""Yipin (一品): the shared core — app factory, config, database, accounts, regions, money,
the outbox and the CLI."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application; with nothing configured it runs on embedded defaults."""
    from yipin import config

    instance_path = os.environ.get("YIPIN_INSTANCE_PATH")
    if instance_path:
        instance_path = os.path.abspath(instance_path)
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    config.load(app, test_config)
    _configure_logging(app)

    import yipin.models  # noqa: F401  (every table in the metadata)
    from yipin import errors, i18n, web
    from yipin.accounts import security
    from yipin.extensions import api, db, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir(), compare_type=True, render_as_batch=True)
    i18n.init_app(app)
    security.init_app(app)
    api.init_app(app)
    errors.init_app(app)
    web.register(app)

    from yipin import cli, tasks

    tasks.load_all()

    cli.init_app(app)
    return app


def _migrations_dir() -> str:
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def _configure_logging(app: Flask) -> None:
    from yipin import logs

    logs.init_app(app)
