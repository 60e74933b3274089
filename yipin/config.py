"""Configuration: defaults, then ``instance/yipin.cfg``, then ``YIPIN_*`` environment variables.

With nothing configured every component runs on its embedded default (SQLite in the instance
folder, in-process jobs, the SQL fallback search, offline payments). Setting
``YIPIN_DATABASE_URL``, ``YIPIN_REDIS_URL``, ``YIPIN_ELASTICSEARCH_URL`` or
``YIPIN_STRIPE_SECRET_KEY`` switches that component to the real server.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app

DEFAULTS: dict[str, Any] = {
    "ENV_NAME": "development",  # development | production | testing
    "DATABASE_URL": None,
    "REDIS_URL": None,
    "ELASTICSEARCH_URL": None,
    "ELASTICSEARCH_INDEX_PREFIX": "yipin",
    "SEARCH_CHINESE_ANALYSIS": "ik",  # ik | smartcn | cjk (search/README.md)
    "SEARCH_RETRY_SECONDS": 10,  # the SQL engine serves this long after an ES failure
    "SEARCH_TIMEOUT_SECONDS": 3,
    "STRIPE_SECRET_KEY": None,
    "STRIPE_PUBLISHABLE_KEY": None,
    "STRIPE_WEBHOOK_SECRET": None,
    "STRIPE_API_BASE": None,  # stripe-mock in tests
    "MEDIA_DIR": None,  # uploaded images; default <instance>/media
    # The region the platform serves (its suppliers, origins and bureau): a province, city or
    # county code. The bundled region data goes down to the village only in 赣州市 (3607); another
    # region loads its townships and villages with ``flask regions load FILE…``.
    "PLATFORM_REGION": "3607",
    # The platform's brand and its one-line introduction, per language (or one text for all).
    "PLATFORM_NAME": {"zh_CN": "赣南优品", "en": "Ganzhou Select"},
    "PLATFORM_TAGLINE": {
        "zh_CN": "赣南各县的脐橙、茶油、大米和茶叶 —— 按标准分级，持证认证，溯源到村。",
        "en": "Navel oranges, camellia oil, rice and tea from the counties of Gannan — graded,"
        " certified and traceable to the village.",
    },
    "RQ_QUEUE": "yipin",
    "OUTBOX_MAX_ATTEMPTS": 8,
    "OUTBOX_BACKOFF_SECONDS": [5, 30, 120, 600, 1800, 3600, 7200, 14400],
    "OUTBOX_STALE_AFTER_SECONDS": 900,
    "LOGIN_FAILURES_PER_MINUTE": 5,  # per account (however its login is spelled)
    "LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE": 20,
    "SIGNUPS_PER_HOUR": 10,  # per address
    "SESSION_LIFETIME_DAYS": 14,  # a login without "keep me logged in" ends by then
    "REMEMBER_COOKIE_DURATION": timedelta(days=30),  # "keep me logged in"
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": {"zh_CN": "中文", "en": "English"},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
    "WTF_CSRF_TIME_LIMIT": None,  # token lives as long as the session
    "WTF_CSRF_CHECK_DEFAULT": False,  # checked in one before_request hook (see security.py)
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "IMAGE_MAX_BYTES": 8 * 1024 * 1024,
    "IMAGE_MAX_PIXELS": 64_000_000,  # in the header (a 50-megapixel phone photo passes)
    "IMAGE_MAX_DECODE_PIXELS": 16_000_000,  # decoded, per image (a JPEG at its built-in scale)
    "IMAGE_DECODE_BUDGET_PIXELS": 48_000_000,  # decoded, per request, over all its images
    "IMAGE_KEEP_SIDE": 2560,  # the stored original's long side at most
    # gzip CSS/JS/SVG, and pages/JSON to requests without cookies (yipin/compression.py); turn
    # off when a reverse proxy compresses
    "COMPRESS_RESPONSES": True,
    "IMPORT_MAX_BYTES": 10 * 1024 * 1024,  # bulk import files (CSV / XLSX)
    "IMPORT_MAX_ROWS": 50_000,
    "IMPORT_COMMIT_EVERY": 200,  # rows per commit: progress shows, a crash resumes there
    "IMPORT_DIR": None,  # uploaded import files; default <MEDIA_DIR>/imports
    "STOCK_LOW_THRESHOLD": 10,  # available units at or below this are highlighted
    "API_TITLE": "Yipin API",
    # The contract's version (semantic): the major is the /api/v1 prefix; a minor adds
    # operations or optional fields, a patch corrects the document.
    "API_VERSION": "1.0.0",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    "OPENAPI_SWAGGER_UI_URL": "/api/docs/assets/",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": (
                "The JSON API of the Yipin platform: suppliers, their catalog and traceability,"
                " stock, orders and the bureau's statistics. Money is integer fen (分), weights"
                " are grams, dates are ISO 8601 (times in UTC). Every error has one body"
                " (`Error`: `code`, `error`, `message`, `messages` in zh_CN and en, `errors`);"
                " messages follow `Accept-Language` or `?lang=zh_CN|en`. Lists are paged with"
                " `page` and `page_size`; the `X-Pagination` header is JSON text.\n\n"
                "一品平台的 JSON 接口：供应商、商品与溯源、库存、订单以及商务局统计。"
                "金额以分为单位的整数，重量以克计，日期为 ISO 8601（时间为 UTC）。"
                "所有错误使用同一格式（`Error`），`messages` 同时给出中文和英文。"
                "列表按 `page`、`page_size` 分页，`X-Pagination` 响应头为 JSON 文本。"
            ),
            "license": {"name": "MIT"},
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from `POST /api/v1/auth/tokens` (login and password)"
                    " in `Authorization: Bearer …` · 通过 `POST /api/v1/auth/tokens` 取得的令牌",
                },
                "cookieAuth": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": "The site's session cookie after signing in on the site;"
                    " POST, PUT, PATCH and DELETE also need the page's CSRF token in"
                    " `X-CSRFToken`. A cookie that is not a live session counts as no"
                    " credential (401) · 网站登录后的会话 Cookie；写操作还需 `X-CSRFToken`",
                },
            }
        },
        "security": [{"bearerAuth": []}, {"cookieAuth": []}],
    },
    "RATELIMIT_HEADERS_ENABLED": True,
    "JSON_SORT_KEYS": False,
}


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config``: defaults, instance file, environment, then the test mapping."""
    app.config.update(DEFAULTS)
    app.config.from_pyfile("yipin.cfg", silent=True)
    app.config.from_prefixed_env("YIPIN")
    if test_config:
        app.config.update(test_config)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'yipin.sqlite3'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["DATABASE_URL"])
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("pool_pre_ping", True)
        if not _flag(app.config.get("DATABASE_PREPARED_STATEMENTS", True)):
            # behind PgBouncer in transaction mode before 1.22: psycopg prepares nothing
            connect_args = app.config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("connect_args", {})
            connect_args["prepare_threshold"] = None
    if not app.config.get("MEDIA_DIR"):
        app.config["MEDIA_DIR"] = str(instance / "media")

    region = str(app.config["PLATFORM_REGION"])
    if not re.fullmatch(r"\d{2}(\d{2}(\d{2})?)?", region):
        raise ValueError(f"PLATFORM_REGION must be a province, city or county code: {region!r}")
    app.config["PLATFORM_REGION"] = region

    production = app.config["ENV_NAME"] == "production"
    # Secure cookies (HTTPS only) in production; YIPIN_SECURE_COOKIES overrides either way.
    secure = app.config.get("SECURE_COOKIES")
    secure = production if secure is None else bool(secure)
    app.config["SESSION_COOKIE_SECURE"] = secure
    app.config["REMEMBER_COOKIE_SECURE"] = secure
    # limits count where every web process sees them: Redis, else the database (never memory)
    from yipin import ratelimit

    app.config.setdefault("RATELIMIT_STORAGE_URI", ratelimit.storage_uri(app.config))


def platform_region() -> str:
    """The code of the region the platform serves (``PLATFORM_REGION``)."""
    return str(current_app.config["PLATFORM_REGION"])


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for ``postgres://`` and ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(instance: Path) -> str:
    """A per-installation secret kept in the instance folder (created on first run)."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _flag(value: Any) -> bool:
    """A boolean setting given as a bool or as text from the environment ("false", "0", "no")."""
    if isinstance(value, str):
        return value.strip().lower() not in {"", "0", "false", "no", "off"}
    return bool(value)
