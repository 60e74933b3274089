"""The search JSON API: results, filters, facets, sorting, suggestions, errors and its
OpenAPI contract (public, with declared success and error bodies)."""

from __future__ import annotations

import pytest

from tests.search import corpus


@pytest.fixture
def api(embedded_catalog, embedded_client):
    return embedded_client


def test_search_returns_products_with_highlights_and_facets(api, embedded_catalog):
    response = api.get("/api/v1/search", query_string={"q": "qicheng"})
    assert response.status_code == 200
    body = response.json
    assert body["engine"] == "sql" and body["fallback"] is False
    assert body["total"] == 5 and body["pages"] == 1  # four oranges and 脐橙果酱
    first = body["items"][0]
    assert first["id"] in {embedded_catalog[k] for k in corpus.ORANGES.split()}
    assert first["highlight"]["name"].startswith("赣南<mark>脐橙</mark>")
    assert first["brand"] == {"slug": "gannan-navel-orange", "name": "赣南脐橙"}
    assert first["url"] == f"/p/{first['id']}"
    facets = {f["name"]: f for f in body["facets"]}
    assert set(facets) == {
        "category",
        "brand",
        "grade",
        "county",
        "cert",
        "storage",
        "price",
        "season",
        "stock",
    }
    counties = {v["value"]: v["count"] for v in facets["county"]["values"]}
    assert counties == {"360722": 2, "360726": 1, "360733": 1, "360734": 1}


def test_filters_and_sorting(api, embedded_catalog):
    response = api.get(
        "/api/v1/search", query_string={"q": "赣南", "category": "grain-oil", "sort": "price_asc"}
    )
    items = response.json["items"]
    prices = [i["price_fen"] for i in items]
    assert prices == sorted(prices) and len(items) >= 5
    assert all(i["category"]["slug"] == "grain-oil" for i in items)
    cheap = api.get("/api/v1/search", query_string={"price": "-2000"}).json
    assert cheap["total"] == 0
    stocked = api.get("/api/v1/search", query_string={"stock": "true", "q": "茶油"}).json
    assert embedded_catalog["oil-new"] not in {i["id"] for i in stocked["items"]}
    best = api.get("/api/v1/search", query_string={"q": "大米", "sort": "sales"}).json
    assert best["items"][0]["id"] == embedded_catalog["rice-family"]  # 400 sold


def test_did_you_mean_and_relaxed_results(api, embedded_catalog):
    typo = api.get("/api/v1/search", query_string={"q": "qichen"}).json
    assert typo["suggestion"] == "脐橙" and typo["total"] >= 4
    some = api.get("/api/v1/search", query_string={"q": "脐橙 鹅腿"}).json
    assert some["relaxed"] is True and some["total"] > 0


def test_suggestions_while_typing(api, embedded_catalog):
    for typed in ("赣南脐", "gnqc", "qich"):
        body = api.get("/api/v1/search/suggest", query_string={"q": typed}).json
        found = body["suggestions"]
        if typed != "qich":  # the brand first when its name starts so
            assert (found[0]["kind"], found[0]["text"]) == ("brand", "赣南脐橙"), typed
        products = [s for s in found if s["kind"] == "product"]
        assert products and all("脐橙" in s["text"] for s in products), typed
        assert "<mark>" in products[0]["highlight"]
    brand = api.get("/api/v1/search/suggest", query_string={"q": "naby"}).json["suggestions"][0]
    assert brand["kind"] == "brand" and brand["url"] == "/search?brand=nanan-salted-duck"


@pytest.mark.parametrize(
    "args",
    [
        {"page": 0},
        {"per_page": 500},
        {"county": "36073"},
        {"sort": "random"},
        {"cert": "gold"},
        {"price": "1-2"},
        {"q": "橙" * 101},
    ],
)
def test_bad_arguments_are_422_with_the_error_body(api, args):
    response = api.get("/api/v1/search", query_string=args)
    assert response.status_code == 422
    assert response.json["error"] and response.json["errors"]


def test_suggest_needs_something_typed(api):
    assert api.get("/api/v1/search/suggest").status_code == 422


def test_the_openapi_document_declares_public_operations_and_their_bodies(api):
    spec = api.get("/api/openapi.json").json
    for path in ("/api/v1/search", "/api/v1/search/suggest"):
        operation = spec["paths"][path]["get"]
        assert operation["security"] == []
        assert {"200", "422"} <= set(operation["responses"])
        # the one error body of the API (yipin.api.ErrorSchema), through the shared response
        assert operation["responses"]["422"] == {
            "$ref": "#/components/responses/UNPROCESSABLE_ENTITY"
        }
        shared = spec["components"]["responses"]["UNPROCESSABLE_ENTITY"]
        error = shared["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/Error"}
