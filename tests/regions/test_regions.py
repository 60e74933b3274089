"""Regions: the bundled division codes, the look-up API."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from yipin.db import db
from yipin.regions import queries
from yipin.regions.models import Region, RegionLevel


def _count(level: RegionLevel, prefix: str = "") -> int:
    stmt = sa.select(sa.func.count()).select_from(Region).where(Region.level == level)
    if prefix:
        stmt = stmt.where(Region.code.startswith(prefix))
    return db.session.scalar(stmt)


@pytest.mark.both_databases
def test_every_province_city_and_county_is_loaded(app):
    assert _count(RegionLevel.PROVINCE) == 31
    assert _count(RegionLevel.CITY) == 342
    assert _count(RegionLevel.COUNTY) == 2978


@pytest.mark.both_databases
def test_ganzhou_goes_down_to_the_village(app):
    assert _count(RegionLevel.COUNTY, "3607") == 18
    assert _count(RegionLevel.TOWNSHIP, "3607") == 310
    assert _count(RegionLevel.VILLAGE, "3607") == 4081
    assert queries.counts_under(db.session, "3607") == {
        "county": 18,
        "township": 310,
        "village": 4081,
    }


def test_ganzhou_counties_by_name(app):
    names = {r.code: r.name for r in queries.children(db.session, "3607")}
    assert names["360734"] == "寻乌县" and names["360781"] == "瑞金市"
    assert names["360783"] == "龙南市" and len(names) == 18


def test_full_names_skip_placeholder_cities(app):
    assert db.session.get(Region, "110105").full_name == "北京市 朝阳区"
    village = db.session.get(Region, "360734100201")
    assert village.full_name == "江西省 赣州市 寻乌县 长宁镇 三二五村委会"


def test_api_children_path_and_search(client):
    provinces = client.get("/api/v1/regions").json
    assert len(provinces) == 31 and provinces[0]["code"] == "11"
    counties = client.get("/api/v1/regions?parent=3607").json
    assert len(counties) == 18 and all(c["has_children"] for c in counties)
    beijing = client.get("/api/v1/regions?parent=1101").json
    assert beijing and not any(c["has_children"] for c in beijing)  # counties outside are leaves
    detail = client.get("/api/v1/regions/360734100201").json
    assert [p["name"] for p in detail["path"]] == [
        "江西省",
        "赣州市",
        "寻乌县",
        "长宁镇",
        "三二五村委会",
    ]
    found = client.get("/api/v1/regions/search?q=寻乌").json
    assert found[0]["code"] == "360734"
    response = client.get("/api/v1/regions/search?q=村&within=360734")
    assert all(r["code"].startswith("360734") for r in response.json)


def test_region_answers_are_cacheable(client):
    response = client.get("/api/v1/regions?parent=36")
    assert "max-age=86400" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/regions?parent=abc", 422),
        ("/api/v1/regions?parent=9999", 404),
        ("/api/v1/regions/000000", 404),
        ("/api/v1/regions/search", 422),
        ("/api/v1/regions/search?q=" + "长" * 50, 422),
    ],
)
def test_bad_region_requests_get_clear_4xx_json(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response.json["messages"]["zh_CN"] and response.json["messages"]["en"]


def test_loading_again_adds_nothing(app):
    from yipin.regions.loader import load_regions

    assert load_regions(db.session) == 0
