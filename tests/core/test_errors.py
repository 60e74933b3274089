"""Errors: JSON under /api/, friendly pages elsewhere, in Chinese and English; never a 500."""

from __future__ import annotations

import pytest


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["messages"] == {
        "zh_CN": "您访问的页面或记录不存在。",
        "en": "The page or record you asked for does not exist.",
    }


def test_unknown_page_is_a_friendly_html_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "您访问的页面或记录不存在" in body and "返回首页" in body


def test_english_is_available(client):
    client.get("/lang/en")
    body = client.get("/no-such-page").get_data(as_text=True)
    assert (
        "The page or record you asked for does not exist." in body
        and "Back to the home page" in body
    )
    assert "Log in" in client.get("/").get_data(as_text=True)
    client.get("/lang/zh_CN")
    assert "登录" in client.get("/").get_data(as_text=True)


def test_wrong_method_is_405_json(client):
    response = client.delete("/api/v1/regions")
    assert response.status_code == 405 and response.json["error"] == "method_not_allowed"


def test_malformed_json_is_a_4xx(client):
    response = client.post("/api/v1/auth/tokens", data="{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json["messages"]["en"]


def test_validation_errors_name_the_fields(client):
    response = client.post("/api/v1/auth/tokens", json={"login": "x"})
    assert response.status_code == 422
    assert "password" in str(response.json["errors"])


def test_oversized_request_is_413(client):
    response = client.post(
        "/api/v1/auth/tokens", data=b"x" * (17 * 1024 * 1024), content_type="application/json"
    )
    assert response.status_code == 413


def test_openapi_document_and_docs_page(client):
    spec = client.get("/api/openapi.json").json
    assert spec["info"]["title"] == "Yipin API"
    assert "/api/v1/regions" in spec["paths"] and "/api/v1/auth/tokens" in spec["paths"]
    docs = client.get("/api/docs").get_data(as_text=True)
    assert "/api/docs/assets/swagger-ui-bundle.js" in docs
    assert client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/regions/%00",
        "/api/v1/users/999999999999999999999/active",
        "/lang/xx",
        "/login?next=http://x",
    ],
)
def test_odd_inputs_never_500(client, path):
    assert client.get(path).status_code < 500
