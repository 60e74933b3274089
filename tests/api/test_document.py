"""What every operation of the OpenAPI document declares (the API contract of ARCHITECTURE.md),
and what the server does about credentials, errors and pagination to match it."""

from __future__ import annotations

import json
import re

import pytest

from tests import factories
from tests.conftest import PASSWORD, login
from yipin.db import db

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3}")
METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture
def document(client):
    return client.get("/api/openapi.json").json


def operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def test_the_document_has_a_version_and_bilingual_words(document):
    assert re.fullmatch(r"\d+\.\d+\.\d+", document["info"]["version"])
    assert CJK.search(document["info"]["description"])
    tags = {t["name"]: t["description"] for t in document["tags"]}
    for name in ("accounts", "regions", "suppliers", "catalog", "fulfillment", "bureau"):
        assert CJK.search(tags[name]) and LATIN.search(tags[name]), name
    for label, op in operations(document):
        assert CJK.search(op["summary"]) and LATIN.search(op["summary"]), label
        description = op["description"]
        assert CJK.search(description) and LATIN.search(description), label
        assert len(op["tags"]) == 1 and op["tags"][0] in tags, label


def test_every_operation_declares_who_may_call_it(document):
    protected = [{"bearerAuth": []}, {"cookieAuth": []}]
    for label, op in operations(document):
        assert "security" in op, f"{label} does not say who may call it"
        if op["security"] == []:
            assert op["x-access"] == "public", label
        else:
            assert op["security"] == protected, label
            for status, name in (("401", "UNAUTHORIZED"), ("403", "FORBIDDEN")):
                assert op["responses"][status] == {"$ref": f"#/components/responses/{name}"}, label
    public = {label for label, op in operations(document) if op["security"] == []}
    assert {
        "GET /api/v1/regions",
        "GET /api/v1/categories",
        "GET /api/v1/grade-standards",
        "GET /api/v1/brands",
        "GET /api/v1/trace/{code}",
        "POST /api/v1/auth/tokens",
    } <= public
    assert "GET /api/v1/products" not in public


def test_every_error_has_the_one_documented_body(document):
    error = document["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "error", "message", "messages"}
    assert all(error["properties"][f].get("description") for f in error["properties"])
    messages = document["components"]["schemas"]["Messages"]
    assert set(messages["required"]) == {"zh_CN", "en"}
    for name, response in document["components"]["responses"].items():
        content = response.get("content", {}).get("application/json")
        if content is not None:
            assert content["schema"] == {"$ref": "#/components/schemas/Error"}, name
    for label, op in operations(document):
        assert op["responses"]["default"] == {"$ref": "#/components/responses/DEFAULT_ERROR"}
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")):
                ref = response.get("$ref")
                schema = ref or response["content"]["application/json"]["schema"]["$ref"]
                assert ref or schema == "#/components/schemas/Error", (label, status)


def test_request_bodies_carry_an_example_and_rules_are_listed(document):
    for label, op in operations(document):
        body = op.get("requestBody")
        if body and "application/json" in body["content"]:
            assert "example" in body["content"]["application/json"], label
        for rule in op.get("x-rules", []):
            described = op["responses"][str(rule["status"])]["description"]
            assert rule["rule"] in described, label


def test_operation_ids_are_unique(document):
    ids = [op["operationId"] for _, op in operations(document)]
    assert len(ids) == len(set(ids))


def test_the_pagination_header_is_json_and_declared_so(app, client, document):
    header = document["components"]["headers"]["PAGINATION"]
    assert header["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Pagination"
    }
    listed = document["paths"]["/api/v1/products"]["get"]
    assert listed["responses"]["200"]["headers"]["X-Pagination"] == {
        "$ref": "#/components/headers/PAGINATION"
    }
    page = {p["name"]: p for p in listed["parameters"] if p["in"] == "query"}["page"]
    assert page["schema"]["minimum"] == 1 and page["schema"]["maximum"] >= 1000

    operator = factories.operator()
    db.session.commit()
    token = client.post(
        "/api/v1/auth/tokens", json={"login": operator.login, "password": PASSWORD}
    ).json["token"]
    response = client.get(
        "/api/v1/suppliers?page_size=1", headers={"Authorization": f"Bearer {token}"}
    )
    assert json.loads(response.headers["X-Pagination"])["total"] == 0
    too_far = client.get(
        "/api/v1/suppliers?page=999999999", headers={"Authorization": f"Bearer {token}"}
    )
    assert too_far.status_code == 422


def test_a_cookie_that_is_no_live_session_counts_as_no_credential(client, app):
    """A stale or made-up session cookie is refused like no credential (401), not as a forged
    form (400 csrf_failed); a live session still needs its CSRF token."""
    client.set_cookie("session", "not-a-session")
    refused = client.post("/api/v1/users", json={})
    assert refused.status_code == 401 and refused.json["error"] == "unauthorized"
    assert client.delete("/api/v1/auth/tokens/1").status_code == 401
    public = client.post("/api/v1/auth/tokens", json={"login": "13800000000", "password": "x"})
    assert public.status_code == 401 and public.json["error"] == "invalid_credentials"

    operator = factories.operator()
    db.session.commit()
    login(client, operator)
    forged = client.post("/api/v1/users", json={})
    assert forged.status_code == 400 and forged.json["error"] == "csrf_failed"
    assert client.api("POST", "/api/v1/users", json={}).status_code == 422


def test_a_required_body_must_be_sent(client):
    operator = factories.operator()
    db.session.commit()
    token = client.post(
        "/api/v1/auth/tokens", json={"login": operator.login, "password": PASSWORD}
    ).json["token"]
    missing = client.patch("/api/v1/warehouses/1", headers={"Authorization": f"Bearer {token}"})
    assert missing.status_code == 422
    assert missing.json["messages"]["zh_CN"] and missing.json["errors"]["_schema"]


def test_the_docs_page_shows_the_document_locally(client):
    docs = client.get("/api/docs").get_data(as_text=True)
    assert "/api/openapi.json" in docs and "/api/docs/assets/swagger-ui-bundle.js" in docs
    assert "http" not in docs.split("/api/docs/assets/")[0].split("<script")[-1]
    assert client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200


@pytest.mark.browser
def test_the_docs_page_renders_every_operation_offline(live_server, page):
    """Swagger UI at /api/docs draws the document from local files only: every operation is
    listed under its domain's tag, with its bilingual summary."""
    outside = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server) else None,
    )
    from playwright.sync_api import expect

    page.goto(f"{live_server}/api/docs")
    page.wait_for_selector(".opblock-tag", timeout=30_000)
    document = page.request.get(f"{live_server}/api/openapi.json").json()
    drawn = page.locator(".opblock-summary-description")
    # the list as a reader sees it once Swagger UI has drawn it, not while it draws
    expect(drawn).to_have_count(sum(1 for _ in operations(document)), timeout=30_000)
    tags = page.locator(".opblock-tag").all_inner_texts()
    assert any(t.startswith("catalog") for t in tags) and any(t.startswith("bureau") for t in tags)
    summaries = drawn.all_inner_texts()
    assert len(summaries) == sum(1 for _ in operations(document))
    assert "登录并取得令牌" in " ".join(summaries)
    assert outside == []
