"""The test bed's servers really answer (see tests/testbed/ and scripts/test).

Each test reads its server's URL from the environment through ``testbed.require``: a
missing variable skips the test, or fails it under CI=true.
"""

from __future__ import annotations

import socket
import struct
import threading
from urllib.parse import urlsplit

import pytest
import requests

from tests import testbed

pytestmark = pytest.mark.servers


def test_postgres_answers_select_version() -> None:
    import psycopg

    url = testbed.require("postgres").replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url, connect_timeout=5) as conn:
        version = conn.execute("select version()").fetchone()[0]
        encoding = conn.execute("show server_encoding").fetchone()[0]
        user = conn.execute("select current_user").fetchone()[0]
    assert version.startswith("PostgreSQL ")
    assert encoding == "UTF8"
    assert user == "yipin"


def _refused(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return False
    except ConnectionRefusedError:
        return True


def test_redis_ping_stop_and_restart(private_redis) -> None:
    import redis

    shared = testbed.get_servers()["redis"]
    assert shared.url == testbed.require("redis"), "YIPIN_TESTBED_* ports differ (up vs pytest)"
    server = private_redis  # stopping the shared one would break tests running beside this one
    url = server.url
    assert redis.Redis.from_url(url, socket_timeout=2).ping()
    try:
        assert server.stop(), "redis was not started by the test bed; cannot stop it"
        assert not server.is_running()
        assert _refused(url)
        with pytest.raises(redis.exceptions.ConnectionError):
            redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    finally:
        server.start()
    assert server.is_running()
    assert redis.Redis.from_url(url, socket_timeout=2).ping()


def test_elasticsearch_is_version_8() -> None:
    url = testbed.require("elasticsearch")
    # the integ-test distribution has no rest-root module, so `GET /` is not served
    nodes = requests.get(f"{url}/_nodes/_local", timeout=10).json()["nodes"]
    node = next(iter(nodes.values()))
    assert node["version"].startswith("8.")
    health = requests.get(f"{url}/_cluster/health", timeout=10).json()
    assert health["status"] in {"green", "yellow"}


def _installed_plugins(url: str) -> set[str]:
    rows = requests.get(f"{url}/_cat/plugins", params={"format": "json"}, timeout=10).json()
    return {row["component"] for row in rows}


def _tokens(url: str, body: dict[str, object]) -> list[str]:
    resp = requests.post(f"{url}/_analyze", json=body, timeout=30)
    assert resp.status_code == 200, resp.text
    return [token["token"] for token in resp.json()["tokens"]]


def test_elasticsearch_smartcn_segments_chinese() -> None:
    url = testbed.require("elasticsearch")
    if "analysis-smartcn" not in _installed_plugins(url):
        pytest.skip("analysis-smartcn is not installed in the test bed's Elasticsearch")
    assert _tokens(url, {"analyzer": "smartcn", "text": "赣南脐橙"}) == ["赣南", "脐橙"]
    # and in a real index mapping, searchable by a segmented word
    index = f"yipin-testbed-smartcn-{testbed.namespace() or 'main'}".lower()  # ES is shared
    requests.delete(f"{url}/{index}", timeout=30)
    try:
        resp = requests.put(
            f"{url}/{index}",
            json={
                "settings": {"number_of_shards": 1, "number_of_replicas": 0},
                "mappings": {"properties": {"name": {"type": "text", "analyzer": "smartcn"}}},
            },
            timeout=30,
        )
        assert resp.status_code == 200, resp.text
        resp = requests.put(
            f"{url}/{index}/_doc/1",
            params={"refresh": "true"},
            json={"name": "赣南脐橙 特级 5kg 礼盒"},
            timeout=30,
        )
        assert resp.status_code == 201, resp.text
        hits = requests.post(
            f"{url}/{index}/_search",
            json={"query": {"match": {"name": "脐橙"}}},
            timeout=30,
        ).json()["hits"]
        assert hits["total"]["value"] == 1
    finally:
        requests.delete(f"{url}/{index}", timeout=30)


def test_elasticsearch_icu_transliterates_to_pinyin() -> None:
    url = testbed.require("elasticsearch")
    if "analysis-icu" not in _installed_plugins(url):
        pytest.skip("analysis-icu is not installed in the test bed's Elasticsearch")
    body = {
        "tokenizer": "icu_tokenizer",
        "filter": [{"type": "icu_transform", "id": "Han-Latin; Latin-ASCII"}],
        "text": "赣南脐橙",
    }
    assert _tokens(url, body) == ["gan", "nan", "qi", "cheng"]
    assert _tokens(url, {"analyzer": "icu_analyzer", "text": "ＡＢＣ Café"}) == ["abc", "cafe"]


def test_stripe_mock_creates_cny_payment_intent() -> None:
    base = testbed.require("stripe")
    resp = requests.post(
        f"{base}/v1/payment_intents",
        data={"amount": 1000, "currency": "cny"},
        headers={"Authorization": "Bearer sk_test_123"},
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["id"].startswith("pi_")


def _check(shot: object) -> object:
    try:
        return testbed.chromium_check(shot)  # type: ignore[arg-type]
    except Exception as exc:  # reported by the test in the main thread
        return exc


def _png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_chromium_renders_chinese(tmp_path) -> None:
    testbed.require("chromium")
    shot = tmp_path / "cjk.png"
    # Playwright's sync API allows one instance per thread and the suite's browser fixture may
    # hold this one: the check runs its own in a thread of its own.
    outcome: list[object] = []
    worker = threading.Thread(target=lambda: outcome.append(_check(shot)))
    worker.start()
    worker.join(timeout=120)
    assert outcome and isinstance(outcome[0], str), outcome
    assert "renders CJK" in outcome[0]
    assert _png_size(shot.read_bytes()) == (480, 240)


def test_elasticsearch_speaks_the_stock_analysis_names() -> None:
    """The analysis-common stand-in (Lucene's factories under the stock names and parameters)
    and the IK stand-in, as the search index settings use them."""
    from tests.search.conftest import require_analysis

    url = testbed.require("elasticsearch")
    require_analysis(url)

    def tokens(body: dict) -> list[str]:
        response = requests.post(f"{url}/_analyze", json=body, timeout=30)
        assert response.status_code == 200, response.text
        return [t["token"] for t in response.json()["tokens"]]

    prefixes = {"type": "edge_ngram", "min_gram": 1, "max_gram": 4}
    assert tokens(
        {"tokenizer": "whitespace", "filter": ["lowercase", prefixes], "text": "QiCh 赣南脐橙"}
    ) == ["q", "qi", "qic", "qich", "赣", "赣南", "赣南脐", "赣南脐橙"]
    assert tokens({"tokenizer": "whitespace", "filter": ["asciifolding"], "text": "lǜ chá"}) == [
        "lu",
        "cha",
    ]
    assert tokens({"tokenizer": "standard", "filter": ["cjk_bigram"], "text": "赣南脐橙"}) == [
        "赣南",
        "南脐",
        "脐橙",
    ]
    assert tokens(
        {"tokenizer": {"type": "pattern", "pattern": "[,;]"}, "text": "赣南,寻乌;信丰"}
    ) == ["赣南", "寻乌", "信丰"]
    assert tokens({"analyzer": "ik_max_word", "text": "寻乌蜜桔"}) == ["寻乌", "蜜桔"]
    unknown = requests.post(
        f"{url}/_analyze",
        json={"tokenizer": "whitespace", "filter": [{**prefixes, "bogus": 1}], "text": "x"},
        timeout=30,
    )
    assert unknown.status_code == 400 and "bogus" in unknown.text


def test_lighthouse_is_the_pinned_version_and_runs_on_node() -> None:
    import subprocess

    cli = testbed.require("lighthouse")
    result = subprocess.run(
        ["node", cli, "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == testbed.LIGHTHOUSE_VERSION
