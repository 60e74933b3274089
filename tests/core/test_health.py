"""/healthz reports each component, embedded or real."""

from __future__ import annotations

import os

import pytest


def test_real_components_are_reported_as_real(app, client):
    if not (
        os.environ.get("YIPIN_TEST_ELASTICSEARCH_URL")
        and os.environ.get("YIPIN_TEST_STRIPE_API_BASE")
    ):
        pytest.fail("the test bed must provide Elasticsearch and stripe-mock") if os.environ.get(
            "CI"
        ) else pytest.skip("no ES/stripe-mock")
    response = client.get("/healthz")
    assert response.status_code == 200, response.json
    parts = response.json["components"]
    assert parts["database"] == parts["database"] | {
        "ok": True,
        "mode": "real",
        "backend": "postgresql",
    }
    assert parts["jobs"]["mode"] == "real" and parts["jobs"]["backend"] == "redis+rq"
    assert parts["search"]["mode"] == "real" and parts["search"]["backend"] == "elasticsearch"
    assert parts["payments"]["mode"] == "real" and parts["payments"]["backend"] == "stripe"
    assert all(p["ok"] for p in parts.values())


def test_embedded_defaults_are_reported_as_embedded(embedded_client):
    response = embedded_client.get("/healthz")
    assert response.status_code == 200
    parts = response.json["components"]
    assert {name: p["mode"] for name, p in parts.items()} == {
        "database": "embedded",
        "jobs": "embedded",
        "search": "embedded",
        "payments": "embedded",
    }
    assert parts["database"]["backend"] == "sqlite"
    assert parts["jobs"]["backend"] == "in-process"


def test_a_component_that_is_down_makes_health_503(real_config):
    from wsgi import create_app

    app = create_app({**real_config, "ELASTICSEARCH_URL": "http://127.0.0.1:9"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.json
    assert body["status"] == "degraded" and body["components"]["search"]["ok"] is False
