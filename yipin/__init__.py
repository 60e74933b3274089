"""Yipin (一品): the shared core — app factory, config, database, accounts, regions, money,
images, the outbox, the CLI and the registries the domains plug into. It imports no domain:
the composition root (``wsgi.py``) hands it the domains to assemble."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from flask import Flask

if TYPE_CHECKING:
    from yipin.platform import Domain


def _install_input_primitives() -> None:
    """Every flask-smorest blueprint parses its arguments with ``yipin.fields.Parser``; done on
    import, before any domain's API module applies ``@blp.arguments``."""
    from yipin import fields

    fields.install()


_install_input_primitives()


def build_app(domains: Sequence[Domain], test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application from the core and ``domains`` (in dependency order); with
    nothing configured it runs on embedded defaults."""
    from yipin import config, fields

    instance_path = os.environ.get("YIPIN_INSTANCE_PATH")
    if instance_path:
        instance_path = os.path.abspath(instance_path)
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    fields.init_app(app)  # the id converter, before any route is registered; safe JSON
    config.load(app, test_config)
    _configure_logging(app)
    from yipin import compression

    compression.init_app(app)  # first registered, so the last after_request hook to run

    import yipin.models  # noqa: F401  (the core's tables; each domain lists its own)
    from yipin import cli, errors, headers, health, i18n, pagecache, platform, web
    from yipin.accounts import api as accounts_api
    from yipin.accounts import security
    from yipin.accounts import views as accounts_views
    from yipin.extensions import api, db, migrate
    from yipin.media import views as media_views
    from yipin.regions import api as regions_api

    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir(), compare_type=True, render_as_batch=True)
    i18n.init_app(app)
    security.init_app(app)
    api.init_app(app)
    errors.init_app(app)
    web.init_app(app)
    headers.init_app(app)
    pagecache.init_app(app)  # after CSRF and headers: its template globals replace theirs

    for blueprint in (accounts_views.bp, media_views.bp, health.bp):
        app.register_blueprint(blueprint)
    api.register_blueprint(accounts_api.blp, url_prefix="/api/v1")
    api.register_blueprint(regions_api.blp, url_prefix="/api/v1/regions")
    cli.init_app(app)
    platform.install(app, domains)
    return app


def _migrations_dir() -> str:
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def _configure_logging(app: Flask) -> None:
    from yipin import logs

    logs.init_app(app)
