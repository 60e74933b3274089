"""Reference data API: public, cacheable categories, grade standards (with grades and criteria)
and regional brands."""

from __future__ import annotations


def test_categories_are_public_and_cacheable(client, reference):
    response = client.get("/api/v1/categories")
    assert response.status_code == 200
    assert response.cache_control.public and response.cache_control.max_age == 3600
    by_slug = {c["slug"]: c for c in response.get_json()}
    assert by_slug["fresh-fruit"]["name"] == "生鲜水果"
    assert by_slug["fresh-fruit"]["requires_food_licence"] is False
    assert by_slug["tea"]["requires_food_licence"] is True
    etag = response.headers["ETag"]
    again = client.get("/api/v1/categories", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_grade_standards_carry_grades_and_criteria(client, reference):
    response = client.get("/api/v1/grade-standards")
    assert response.status_code == 200
    assert response.cache_control.public
    standards = {s["code"]: s for s in response.get_json()}
    assert set(standards) >= {"GB/T 21488-2008", "GB/T 1354-2018", "GB/T 11765-2018"}
    orange = standards["GB/T 21488-2008"]
    assert orange["title"] == "脐橙"
    grades = {g["name"]: g for g in orange["grades"]}
    assert list(grades)[:3] == ["特等", "一等", "二等"]
    assert grades["等外"]["sellable"] is False and grades["特等"]["sellable"] is True
    assert {"criterion": "可溶性固形物", "value": "≥ 11.0 %"} in grades["特等"]["criteria"]


def test_brands_list_the_regional_brands(client, reference):
    response = client.get("/api/v1/brands")
    assert response.status_code == 200
    assert response.cache_control.max_age == 3600
    brands = {b["slug"]: b for b in response.get_json()}
    assert brands["gannan-navel-orange"]["name"] == "赣南脐橙"
    assert brands["gannan-navel-orange"]["region_code"] == "3607"
    assert brands["xunwu-mandarin"]["region_code"] == "360734"
    assert len(brands) >= 11


def test_reference_needs_no_login_even_for_a_consumer(client, reference, login_as):
    from tests import factories
    from yipin.db import db

    user = factories.consumer()
    db.session.commit()
    assert login_as(user).get("/api/v1/brands").status_code == 200
