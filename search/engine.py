"""The search component: which engine is in use and whether it answers."""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch
from flask import Flask, current_app


def uses_elasticsearch(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("ELASTICSEARCH_URL"))


def client(app: Flask | None = None) -> Elasticsearch:
    """The app's Elasticsearch client (one per app)."""
    app = app or current_app
    es = app.extensions.get("yipin_es")
    if es is None:
        es = app.extensions["yipin_es"] = Elasticsearch(
            app.config["ELASTICSEARCH_URL"], request_timeout=10, retry_on_timeout=True
        )
    return es


def ping(app: Flask) -> dict[str, Any]:
    """Health of the search component."""
    if not uses_elasticsearch(app):
        return {"ok": True, "mode": "embedded", "backend": "sql-fallback"}
    try:
        health = client(app).cluster.health()  # (the integ-test build has no GET /)
        return {
            "ok": health["status"] in ("green", "yellow"),
            "mode": "real",
            "backend": "elasticsearch",
            "cluster_status": health["status"],
        }
    except Exception as exc:  # health reports, never raises
        return {"ok": False, "mode": "real", "backend": "elasticsearch", "error": str(exc)}
