"""Odd input is refused with 404 / 422 / 400, never a 500 (issue 7, finding 5), through the
core's input primitives (``yipin/fields.py``): ids in paths and query strings, strict integer
fields, text without NUL or lone surrogates, bounded JSON nesting, sane dates, escaped LIKE."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import PASSWORD, login
from yipin.db import db

ROOT = Path(__file__).resolve().parents[2]
HUGE = str(2**63)  # one past the largest BIGINT
HUGER = "9" * 30

pytestmark = pytest.mark.both_databases


@pytest.fixture
def owner(app, reference):
    owner = factories.supplier_staff(owner=True)
    factories.authorise(owner.supplier)
    db.session.commit()
    return owner


@pytest.fixture
def bearer(client, owner):
    token = client.post("/api/v1/auth/tokens", json={"login": owner.login, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json['token']}"}


@pytest.fixture
def catalog(owner):
    product = factories.ProductFactory(supplier=owner.supplier, name="脐橙 100% 纯甜")
    other = factories.ProductFactory(supplier=owner.supplier, name="脐橙 10 斤装")
    variant = factories.VariantFactory(product=product)
    factories.VariantFactory(product=other)
    db.session.commit()
    return product, other, variant


@pytest.mark.parametrize(
    "url",
    [
        f"/p/{HUGE}",
        f"/p/{HUGER}",
        "/p/-1",
        f"/media/images/{HUGE}/thumb",
        f"/api/v1/products/{HUGE}",
        f"/api/v1/batches/{HUGER}",
        f"/api/v1/suppliers/{HUGE}",
    ],
)
def test_ids_past_64_bits_or_negative_in_paths_are_not_found(client, bearer, database, url):
    response = client.get(url, headers=bearer)
    assert response.status_code == 404, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize(
    "query",
    [
        f"page={HUGE}",
        f"page={HUGER}",
        f"supplier_id={HUGE}",
        f"category_id={HUGER}",
        "category_id=1.5",
        "brand_id=1e308",
        "supplier_id=-99999999999999999999",
    ],
)
def test_numbers_past_64_bits_in_api_query_strings_are_refused(client, bearer, database, query):
    response = client.get(f"/api/v1/products?{query}", headers=bearer)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]


def test_numbers_in_page_query_strings_fall_back_instead_of_failing(app, client, catalog, database):
    operator = factories.operator()
    db.session.commit()
    product, _other, _variant = catalog
    assert client.get(f"/p/{product.id}?v={HUGE}").status_code in (200, 404)
    login(client, operator)
    for url in (
        f"/console/listings?page={HUGE}",
        f"/console/listings?category_id={HUGER}&brand_id=-1",
        f"/console/sampling/?page={HUGER}",
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


@pytest.mark.parametrize(
    ("price", "why"),
    [
        (1.5, "a float where fen are meant"),
        (12.0, "a whole float is still a float"),
        ("12", "a string"),
        (True, "a boolean"),
        (1e308, "a float past every integer column"),
        (2**63, "past 64 bits"),
    ],
)
def test_integer_fields_take_json_integers_only(client, bearer, catalog, database, price, why):
    _product, _other, variant = catalog
    before = variant.price_fen
    response = client.put(
        f"/api/v1/variants/{variant.id}/price", json={"price_fen": price}, headers=bearer
    )
    assert response.status_code == 422, (why, response.get_data(as_text=True)[:300])
    assert "price_fen" in response.json["errors"]  # field → messages, wherever it was read
    db.session.refresh(variant)
    assert variant.price_fen == before


def test_an_integer_field_still_takes_an_integer(client, bearer, catalog, database):
    _product, _other, variant = catalog
    response = client.put(
        f"/api/v1/variants/{variant.id}/price", json={"price_fen": 1234}, headers=bearer
    )
    assert response.status_code == 200 and response.json["price_fen"] == 1234


def _batch_body(variant, **extra):
    return {
        "variant_id": variant.id,
        "base_name": "寻乌果园",
        "base_region_code": "360734100",
        "quantity": 100,
        "harvest_date": "2026-11-20",
        **extra,
    }


@pytest.mark.parametrize(
    "extra",
    [
        {"variant_id": 2**63},
        {"variant_id": 2**64 + 7},
        {"variant_id": "1"},
        {"quantity": 1e308},
        {"harvest_date": "0001-01-01"},
        {"harvest_date": "9999-12-31"},
        {"base_name": "寻乌\x00果园"},
    ],
)
def test_batch_bodies_with_odd_values_are_refused(client, bearer, catalog, database, extra):
    _product, _other, variant = catalog
    response = client.post("/api/v1/batches", json=_batch_body(variant, **extra), headers=bearer)
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:300]
    from catalog.models import Batch

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Batch)) == 0


def test_a_sane_batch_body_is_taken(client, bearer, catalog, database):
    _product, _other, variant = catalog
    response = client.post("/api/v1/batches", json=_batch_body(variant), headers=bearer)
    assert response.status_code == 201, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize(
    "body",
    [
        '{"price_fen": 100, "note": "\\ud800"}',  # a lone surrogate
        '{"price_fen": 100, "\\udfff": 1}',  # in a key
        '{"price_fen": 100, "note": "a\\u0000b"}',  # NUL
        "[" * 50_000 + "]" * 50_000,  # deeper than the parser's recursion
        "[" * 40 + "]" * 40,  # deeper than JSON_MAX_DEPTH
        '{"a":' * 40 + "1" + "}" * 40,
    ],
)
def test_unsafe_json_bodies_are_a_bad_request(client, bearer, catalog, database, body):
    _product, _other, variant = catalog
    response = client.put(
        f"/api/v1/variants/{variant.id}/price",
        data=body,
        content_type="application/json",
        headers=bearer,
    )
    assert response.status_code == 400, response.get_data(as_text=True)[:300]


def test_unsafe_json_on_the_login_endpoint_is_a_bad_request(client, database):
    """The rate limiter reads the login from the body before the view: it must not choke."""
    response = client.post(
        "/api/v1/auth/tokens", data="[" * 50_000, content_type="application/json"
    )
    assert response.status_code == 400


def test_percent_and_underscore_in_a_search_match_themselves(client, bearer, catalog, database):
    product, other, _variant = catalog

    def found(q: str) -> set[int]:
        return {p["id"] for p in client.get(f"/api/v1/products?q={q}", headers=bearer).json}

    assert found("100%25") == {product.id}
    assert found("%25") == {product.id}  # "%" is a character, not "anything"
    assert found("_") == set()
    assert found("脐橙") == {product.id, other.id}


def test_forms_refuse_numbers_past_64_bits_and_dates_out_of_range(app, database):
    from wtforms import Form

    from yipin.fields import DATE_MAX, DateField, IntegerField

    class F(Form):
        n = IntegerField()
        d = DateField()

    from werkzeug.datastructures import MultiDict

    with app.test_request_context():
        assert not F(MultiDict({"n": HUGE, "d": "2026-01-01"})).validate()
        assert not F(MultiDict({"n": "1.5", "d": "2026-01-01"})).validate()
        assert not F(MultiDict({"n": "1", "d": "0001-01-01"})).validate()
        form = F(MultiDict({"n": "12", "d": "2026-01-01"}))
        assert form.validate() and form.n.data == 12 and form.d.data == dt.date(2026, 1, 1)
    assert DATE_MAX.year >= 2100


def test_the_batch_form_refuses_a_harvest_on_0001_01_01(app, client, owner, catalog, database):
    from catalog.models import Batch

    _product, _other, variant = catalog
    login(client, owner)
    response = client.submit(
        "/supplier/trace/batches/new",
        {
            "variant_id": str(variant.id),
            "base_name": "寻乌果园",
            "base_region_code": "360734100",
            "quantity": "100",
            "harvest_date": "0001-01-01",
            "basis": "self_test",
        },
    )
    assert response.status_code in (200, 422)
    assert "1900-01-01" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Batch)) == 0


# ----------------------------------------------------------------------------- the rules


def _python_files() -> list[Path]:
    skip = {".venv", "tests", "migrations", "bench", ".git", "node_modules"}
    return [
        p
        for p in ROOT.rglob("*.py")
        if not (set(p.relative_to(ROOT).parts) & skip) and p.name != "fields.py"
    ]


def test_schemas_and_forms_use_the_cores_fields():
    """``from yipin import fields`` in every schema; WTForms' own number and date fields and
    LIKE patterns built from text are nowhere (they would bring the 500s back)."""
    offenders = []
    for path in _python_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in ("marshmallow", "wtforms"):
                banned = (
                    {"fields"}
                    if node.module == "marshmallow"
                    else {
                        "IntegerField",
                        "DateField",
                        "DecimalField",
                        "FloatField",
                    }
                )
                for alias in node.names:
                    if alias.name in banned:
                        offenders.append(f"{path.relative_to(ROOT)}: {node.module}.{alias.name}")
            if isinstance(node, ast.ImportFrom) and node.module == "marshmallow.fields":
                offenders.append(f"{path.relative_to(ROOT)}: marshmallow.fields")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("like", "ilike")
                and not any(k.arg == "escape" for k in node.keywords)
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{node.func.attr}()")
    assert not offenders, "\n".join(offenders)
