"""Test bed: the real servers Yipin's test suite runs against.

PostgreSQL 15 and Redis from Debian's packages, Elasticsearch 8 from Maven Central's
integ-test distribution running on the machine's JDK, stripe-mock built with ``go install``,
Debian's Chromium for browser tests, and Lighthouse (the npm package, pinned, run on that
Chromium by ``tests/storefront/test_lighthouse.py``). Everything downloaded or initialised lives
under ``$YIPIN_TESTBED_DIR`` (default ``/var/tmp/yipin-testbed``) and is reused between runs.

Command line (``python -m tests.testbed CMD``):

``up``      provision and start every server (idempotent), write ``.testbed/env``
``down``    stop the servers the test bed started (downloads and data stay cached)
``status``  say what runs where, and check that Chromium renders Chinese text
``env``     print ``export`` lines for the servers that answer now
``restart`` stop and start the named servers the test bed started (a shared server: only
            when nobody is using it, e.g. to load newly installed Elasticsearch modules)

Python API (used by pytest fixtures)::

    from tests import testbed
    url = testbed.require("redis")          # skip, or fail under CI=true, when missing
    redis = testbed.get_servers()["redis"]
    redis.stop(); redis.start(); redis.is_running()

PostgreSQL and Elasticsearch refuse to run as root: when run as root the test bed runs
them as the system user ``yipin-testbed`` (created on first use). Only the standard
library and ``requests`` are used here; Playwright is imported lazily by the Chromium check.

Elasticsearch's integ-test zip is the bare server plus transport-netty4, x-pack-core/security
and apm: there is no ``GET /`` or ``HEAD /`` (no rest-root module: the Python client's
``info()`` fails and ``ping()`` is False; use ``cluster.health()``), no analysis-common (no
keyword/whitespace/ngram/edge_ngram tokenizers, no asciifolding/cjk_* filters, no cjk
analyzer), no reindex (no ``_delete_by_query``/``_update_by_query``/``_reindex``) and no
painless. ``standard``, ``simple``, ``whitespace``, ``keyword`` and ``stop`` analyzers, the
``lowercase``, ``stop`` and ``shingle`` filters work. The test bed adds a stand-in for the
analysis-common module built from Lucene's analysis factories (ES_MODULES: the stock names
and parameters, e.g. ``edge_ngram``, ``asciifolding``, ``whitespace``, ``pattern``,
``cjk_bigram``) and stand-ins for the analysis-smartcn, analysis-icu and IK plugins
(ES_PLUGINS).
"""

from __future__ import annotations

from .chromium import (
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    CJK_PAGE,
    chromium_check,
    chromium_ok,
    chromium_path,
)
from .cli import cmd_down, cmd_env, cmd_status, cmd_up, main
from .common import (
    ALIASES,
    DEFAULT_BASE_DIR,
    ENV_FILE,
    ENV_VARS,
    REPO_ROOT,
    TESTBED_USER,
    Server,
    TestbedError,
    log,
    testbed_dir,
)
from .elasticsearch import ES_VERSION, ES_ZIP_URL, MAVEN_CENTRAL, Elasticsearch
from .elasticsearch_modules import ES_MODULES, EsModule
from .elasticsearch_plugins import ES_PLUGINS, LUCENE_VERSION, StablePlugin
from .lighthouse import (
    LIGHTHOUSE_VERSION,
    Report,
    install_lighthouse,
    lighthouse_cli,
    run_lighthouse,
)
from .postgres import Postgres
from .redis import Redis
from .stripe_mock import STRIPE_MOCK_MODULE, STRIPE_MOCK_VERSION, StripeMock
from .suite import (
    SERVER_CLASSES,
    database_url,
    free_port,
    get_servers,
    namespace,
    private_dir,
    private_elasticsearch,
    private_redis,
    redis_db_number,
    redis_url,
    require,
)

__all__ = [
    "ALIASES",
    "CHROMIUM_ARGS",
    "CHROMIUM_PATH",
    "CJK_PAGE",
    "DEFAULT_BASE_DIR",
    "ENV_FILE",
    "ENV_VARS",
    "ES_MODULES",
    "ES_PLUGINS",
    "ES_VERSION",
    "ES_ZIP_URL",
    "LIGHTHOUSE_VERSION",
    "LUCENE_VERSION",
    "MAVEN_CENTRAL",
    "REPO_ROOT",
    "SERVER_CLASSES",
    "STRIPE_MOCK_MODULE",
    "STRIPE_MOCK_VERSION",
    "TESTBED_USER",
    "Elasticsearch",
    "EsModule",
    "Postgres",
    "Redis",
    "Report",
    "Server",
    "StablePlugin",
    "StripeMock",
    "TestbedError",
    "chromium_check",
    "chromium_ok",
    "chromium_path",
    "cmd_down",
    "cmd_env",
    "cmd_status",
    "cmd_up",
    "database_url",
    "free_port",
    "get_servers",
    "install_lighthouse",
    "lighthouse_cli",
    "log",
    "main",
    "namespace",
    "private_dir",
    "private_elasticsearch",
    "private_redis",
    "redis_db_number",
    "redis_url",
    "require",
    "run_lighthouse",
    "testbed_dir",
]
