"""Listings, their counts and facets come from the storefront's read model (one card row per
product, kept in the transaction of each change): a delisting, a supplier's suspension, a
deactivated variant, a price change, a failed 抽检 and a brand authorisation lapsing at midnight
show on the very next request, with no job run in between; generated and rebuilt catalogs are
listed in full."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from catalog.actions import delist, set_price, update_variant
from catalog.actions.products import VariantDraft
from catalog.models import Category, InspectionResult, Product
from catalog.trace.sampling import SamplingDraft, record_sample
from suppliers.actions.brands import revoke_authorisation
from suppliers.actions.verification import change_status
from tests import factories
from tests.storefront.conftest import authorised_supplier, orange, variants_of
from yipin import clock
from yipin.db import db

XUNWU, XINFENG = "360734", "360722"
BRAND = "gannan-navel-orange"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def html_of(client: Any, url: str) -> str:
    response = client.get(url + ("&" if "?" in url else "?") + "lang=en")
    assert response.status_code == 200, (url, response.status_code)
    return str(response.get_data(as_text=True))


def ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'class="sf-card"[^>]*data-product-id="(\d+)"', html)]


def total(html: str) -> int:
    found = re.search(r'<span class="sf-count">(\d+) products?</span>', html)
    return int(found.group(1)) if found else 0


def facet(html: str, name: str) -> dict[str, int]:
    """The counts of a category's brand or county facet (``brand=…``, ``county=…`` links)."""
    return {
        value: int(n)
        for value, n in re.findall(rf'[?&;]{name}=([\w-]+)"[^>]*>[^<]*<small>(\d+)</small>', html)
    }


def tile(html: str, slug: str = BRAND) -> int:
    """The product count on the home page's tile of a brand (none shown: 0)."""
    found = re.search(rf'href="/brands/{slug}".*?<span class="count">([^<]*)</span>', html, re.S)
    assert found, slug
    number = re.search(r"\d+", found.group(1))
    return int(number.group()) if number else 0


def suppliers_of_brand(html: str) -> int:
    return int(re.search(r"Authorised suppliers</dt><dd>(\d+)</dd>", html).group(1))


def seen(client: Any) -> dict[str, Any]:
    """What a consumer sees of the fresh-fruit listing, the brand's page and tile."""
    category = html_of(client, "/c/fresh-fruit")
    brand = html_of(client, f"/brands/{BRAND}")
    return {
        "category": sorted(ids(category)),
        "total": total(category),
        "brands": facet(category, "brand"),
        "counties": facet(category, "county"),
        "brand page": sorted(ids(brand)),
        "brand total": total(brand),
        "suppliers": suppliers_of_brand(brand),
        "tile": tile(html_of(client, "/")),
    }


@pytest.fixture
def growers(app, reference, november) -> dict[str, Any]:
    """Two authorised suppliers in two counties: three branded oranges and an unbranded one."""
    xunwu = authorised_supplier(name="寻乌县读模型合作社", region_code="360734100201")
    xinfeng = authorised_supplier(name="信丰县读模型合作社", region_code="360722100201")
    made = {
        "a1": orange(xunwu, name="寻乌脐橙 一号"),
        "a2": orange(xunwu, name="寻乌脐橙 二号"),
        "b1": orange(xinfeng, name="信丰脐橙 一号"),
        "plain": orange(xinfeng, name="信丰甜橙 散装", branded=False),
    }
    operator = factories.operator()
    db.session.commit()
    return {"xunwu": xunwu, "xinfeng": xinfeng, "operator": operator, **made}


@pytest.mark.both_databases
def test_counts_and_facets_follow_a_delisting_a_suspension_and_a_deactivated_variant(
    client, growers
):
    g = growers
    assert seen(client) == {
        "category": sorted(g[k].id for k in ("a1", "a2", "b1", "plain")),
        "total": 4,
        "brands": {BRAND: 3},
        "counties": {XUNWU: 2, XINFENG: 2},
        "brand page": sorted(g[k].id for k in ("a1", "a2", "b1")),
        "brand total": 3,
        "suppliers": 2,
        "tile": 3,
    }

    delist(db.session, g["operator"], g["a1"].id, "规格不符")
    db.session.commit()
    assert seen(client) == {
        "category": sorted(g[k].id for k in ("a2", "b1", "plain")),
        "total": 3,
        "brands": {BRAND: 2},
        "counties": {XUNWU: 1, XINFENG: 2},
        "brand page": sorted(g[k].id for k in ("a2", "b1")),
        "brand total": 2,
        "suppliers": 2,
        "tile": 2,
    }

    change_status(db.session, g["operator"], g["xinfeng"].id, "suspend", "资质到期")
    db.session.commit()
    assert seen(client) == {
        "category": [g["a2"].id],
        "total": 1,
        "brands": {BRAND: 1},
        "counties": {XUNWU: 1},
        "brand page": [g["a2"].id],
        "brand total": 1,
        "suppliers": 1,
        "tile": 1,
    }

    for variant in variants_of(g["a2"]):  # the supplier takes every variant off sale
        update_variant(
            db.session, g["operator"], variant.id, VariantDraft.of(variant, is_active=False)
        )
    db.session.commit()
    after = seen(client)
    assert after["category"] == after["brand page"] == []
    assert after["total"] == after["brand total"] == after["suppliers"] == after["tile"] == 0
    assert after["brands"] == after["counties"] == {}

    change_status(db.session, g["operator"], g["xinfeng"].id, "restore")
    db.session.commit()
    assert seen(client)["category"] == sorted(g[k].id for k in ("b1", "plain"))


@pytest.mark.both_databases
def test_a_price_change_reprices_and_reorders_the_listing_and_a_failed_sample_keeps_it(
    client, growers
):
    g = growers
    by_price = f"/c/fresh-fruit?sort=price_asc&county={XUNWU}"
    assert ids(html_of(client, by_price)) == sorted([g["a1"].id, g["a2"].id], reverse=True)
    cheapest = min(variants_of(g["a1"]), key=lambda v: v.price_fen)
    set_price(db.session, g["operator"], cheapest.id, 1990)
    db.session.commit()
    html = html_of(client, by_price)
    assert ids(html) == [g["a1"].id, g["a2"].id]  # the cheaper one first now
    assert "¥19.90" in html

    batch = factories.BatchFactory(variant=cheapest, supplier_id=g["xunwu"].id)
    db.session.commit()
    before = seen(client)
    record_sample(
        db.session,
        g["operator"],
        SamplingDraft(
            batch_code=batch.code,
            sampled_on=date(2026, 11, 18),
            agency="赣州市市场监督管理局",
            result=InspectionResult.FAIL,
            items="农药残留",
        ),
    )
    db.session.commit()
    # the lot is recalled (its page says so); the product, its counts and facets stay
    assert "data-recall" in html_of(client, f"/t/{batch.code}")
    assert seen(client) == before


def at_shanghai(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.both_databases
def test_a_brand_shows_until_its_authorisation_lapses_at_midnight_with_no_job(
    client, app, reference, november
):
    lapsing = factories.SupplierFactory(name="寻乌县授权将到期合作社", region_code="360734100201")
    factories.authorise(lapsing, BRAND, valid_from=date(2025, 1, 1), valid_to=date(2026, 11, 25))
    renewed = factories.SupplierFactory(name="寻乌县续期有空档合作社", region_code="360734100201")
    factories.authorise(renewed, BRAND, valid_from=date(2025, 1, 1), valid_to=date(2026, 11, 22))
    factories.authorise(renewed, BRAND, valid_from=date(2026, 12, 1), valid_to=date(2027, 12, 31))
    revoked = authorised_supplier(name="寻乌县授权被撤销合作社", region_code="360734100201")
    products = {
        "lapsing": orange(lapsing, name="寻乌脐橙 授权将到期"),
        "renewed": orange(renewed, name="寻乌脐橙 授权有空档"),
        "revoked": orange(revoked, name="寻乌脐橙 授权被撤销"),
    }
    operator = factories.operator()
    db.session.commit()

    def branded() -> set[str]:
        shown = set(ids(html_of(client, f"/brands/{BRAND}")))
        filtered = set(ids(html_of(client, f"/c/fresh-fruit?brand={BRAND}")))
        assert shown == filtered
        names = {k for k, p in products.items() if p.id in shown}
        category = html_of(client, "/c/fresh-fruit")
        assert facet(category, "brand").get(BRAND, 0) == len(names)
        assert tile(html_of(client, "/")) == len(names)
        assert set(ids(category)) == {p.id for p in products.values()}  # listed all along
        return names

    assert branded() == {"lapsing", "renewed", "revoked"}  # 20 November

    (authorisation,) = revoked.authorisations
    revoke_authorisation(db.session, operator, authorisation.id, "违规使用品牌")
    db.session.commit()
    assert branded() == {"lapsing", "renewed"}

    clock.freeze(at_shanghai(date(2026, 11, 22), 23, 59))
    assert branded() == {"lapsing", "renewed"}
    clock.freeze(at_shanghai(date(2026, 11, 23), 0, 0))  # between the renewed one's periods
    assert branded() == {"lapsing"}
    clock.freeze(at_shanghai(date(2026, 11, 25), 23, 59))
    assert branded() == {"lapsing"}
    clock.freeze(at_shanghai(date(2026, 11, 26), 0, 0))
    assert branded() == set()
    clock.freeze(at_shanghai(date(2026, 12, 1), 9, 0))
    assert branded() == {"renewed"}


@pytest.mark.both_databases
def test_generated_and_rebuilt_catalogs_are_listed_in_full(app, client, reference, november):
    grower = factories.SupplierFactory(name="寻乌县读模型生成合作社", region_code="360734100201")
    factories.authorise(grower, BRAND)
    factories.SupplierFactory(name="信丰县读模型生成农场", region_code="360722100201")
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["catalog", "generate", "--products", "40"])
    assert result.exit_code == 0, result.output

    def listed() -> dict[str, int]:
        return {
            c.slug: total(html_of(client, f"/c/{c.slug}"))
            for c in db.session.scalars(sa.select(Category).order_by(Category.id))
        }

    def visible_by_category() -> dict[str, int]:
        rows = db.session.execute(
            sa.select(Category.slug, sa.func.count(Product.id))
            .outerjoin(Product, sa.and_(Product.category_id == Category.id, Product.is_visible))
            .group_by(Category.slug)
        )
        return dict(rows.all())

    expected = visible_by_category()
    assert sum(expected.values()) == 40
    assert listed() == expected

    # rows lost behind the app's back (a restore, raw SQL) come back with the rebuild
    db.session.execute(sa.text("DELETE FROM storefront_cards"))
    db.session.commit()
    assert sum(listed().values()) == 0
    result = runner.invoke(args=["storefront", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "40 card rows rebuilt" in result.output
    assert listed() == expected
