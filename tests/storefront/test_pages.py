"""The consumer pages show only listed products of verified suppliers, brands only while
authorised, certificates only while valid, and the product page carries the grade criteria with
the standard's number, the 合格证 of the batch on sale, its traceability link, season and origin."""

from __future__ import annotations

import re
from datetime import date

import pytest

from suppliers.models import SupplierStatus
from tests import factories
from tests.storefront.conftest import authorised_supplier, orange
from yipin.db import db


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def product_ids(html: str) -> set[int]:
    return {int(x) for x in re.findall(r'class="sf-card"[^>]*data-product-id="(\d+)"', html)}


# ----------------------------------------------------------------------------- what is shown


@pytest.mark.both_databases
def test_home_shows_only_listed_products_of_verified_suppliers(client, shop):
    html = text(client.get("/"))
    assert 'data-page="consumer-home"' in html
    shown = product_ids(html)
    assert shop["product"].id in shown
    assert shop["pending"].id not in shown
    assert shop["hidden"].id not in shown
    assert "赣南脐橙" in html  # the brand tiles
    assert "11月当季" in html  # what is in season this month


def test_category_shows_only_listed_products_of_verified_suppliers(client, shop):
    html = text(client.get("/c/fresh-fruit"))
    assert product_ids(html) == {shop["product"].id}
    assert "¥54.90" in html  # lowest price of the card
    assert "特等" in html and "一等" in html  # grade badges


def test_product_page_of_unlisted_or_unverified_or_unknown_product_is_a_friendly_404(client, shop):
    for product_id in (shop["pending"].id, shop["hidden"].id, 999999):
        response = client.get(f"/p/{product_id}")
        assert response.status_code == 404
        assert "该商品未在售或已下架" in response.get_data(as_text=True)


def test_a_suspended_supplier_disappears_from_every_page(client, shop):
    shop["supplier"].status = SupplierStatus.SUSPENDED
    db.session.commit()
    assert shop["product"].id not in product_ids(text(client.get("/")))
    assert shop["product"].id not in product_ids(text(client.get("/c/fresh-fruit")))
    assert client.get(f"/p/{shop['product'].id}").status_code == 404


@pytest.mark.both_databases
def test_a_product_shows_its_brand_only_while_the_authorisation_is_valid(client, shop):
    lapsed = factories.SupplierFactory(name="寻乌县授权过期的合作社")
    factories.authorise(
        lapsed, "gannan-navel-orange", valid_from=date(2023, 1, 1), valid_to=date(2026, 6, 30)
    )
    product = orange(lapsed, name="赣南脐橙 授权已过期的果")
    db.session.commit()

    page = text(client.get(f"/p/{product.id}"))
    assert 'class="sf-tag brand"' not in page
    cards = text(client.get("/c/fresh-fruit"))
    card = cards[cards.index(f'data-product-id="{product.id}"') :]
    card = card[: card.index("</a>")]
    assert "赣南脐橙" in card  # the name says it …
    assert 'class="sf-tag brand"' not in card  # … but no brand badge
    assert 'class="sf-tag brand"' in text(client.get(f"/p/{shop['product'].id}"))
    # the brand's page and its filter list only authorised products
    brand_page = text(client.get("/brands/gannan-navel-orange"))
    assert product_ids(brand_page) == {shop["product"].id}
    filtered = text(client.get("/c/fresh-fruit?brand=gannan-navel-orange"))
    assert product_ids(filtered) == {shop["product"].id}


def test_expired_certificates_are_not_shown_as_valid(client, shop):
    page = text(client.get(f"/p/{shop['product'].id}"))
    valid = page[page.index('id="certifications"') :]
    valid, expired = valid.split('class="sf-certs expired"', 1)
    assert "GF360734241234" in valid
    assert "GF360734209999" not in valid
    assert "GF360734209999" in expired and "已过期" in expired
    cards = text(client.get("/c/fresh-fruit"))
    assert "GF360734209999" not in cards
    assert "GF360734241234" in cards  # the valid one is a badge on the card


# ----------------------------------------------------------------------------- product page


def test_product_page_shows_grades_with_their_criteria_and_the_standard(client, shop):
    page = text(client.get(f"/p/{shop['product'].id}"))
    grades = page[page.index('id="grades"') : page.index('id="certificate"')]
    assert "GB/T 21488-2008" in grades
    assert "可溶性固形物" in grades
    assert "≥ 11.0 %" in grades and "≥ 10.0 %" in grades  # 特等 and 一等
    assert "特等" in grades and "一等" in grades
    assert "二等" not in grades  # only the grades this product sells


def test_product_page_shows_variants_with_price_list_price_and_the_chosen_one(client, shop):
    premium = shop["premium"]
    page = text(client.get(f"/p/{shop['product'].id}?v={premium.id}"))
    price = page[page.index('class="sf-pricebox"') :]
    price = price[: price.index("</div>")]
    assert "¥69.90" in price and "<del" in price and "¥79.90" in price
    assert "5 kg 75–80 mm" in price and "特等" in price
    assert page.count('<a class="sf-variant') == 2
    assert "加入购物车" in page and "data-add-to-cart" in page  # the cart takes it
    # a variant of another product, or garbage, falls back to the first one
    assert "¥54.90" in text(client.get(f"/p/{shop['product'].id}?v=abc"))


@pytest.mark.both_databases
def test_product_page_shows_the_commitment_certificate_and_the_traceability_link(client, shop):
    page = text(client.get(f"/p/{shop['product'].id}"))
    section = page[page.index('id="certificate"') : page.index('id="certifications"')]
    for field in (
        "承诺达标合格证",
        "HG-20261112-GNTEST000001",
        "赣南脐橙 晨光果园 现摘现发",  # product name
        "800 件",  # quantity
        "寻乌县",  # origin …
        "晨光镇脐橙基地 3 号地块",
        "2026-11-12",  # issued on
        "寻乌县晨光脐橙专业合作社",  # committing party
        "13907971234",  # contact
    ):
        assert field in section, field
    assert 'href="/t/GNTEST000001"' in section  # the traceability page (QR target)
    assert "/t/GNTEST000001/certificate.pdf" in section


def test_product_page_shows_season_origin_down_to_the_village_and_the_supplier(client, shop):
    page = text(client.get(f"/p/{shop['product'].id}"))
    origin = page[page.index('id="origin"') :]
    assert "江西省 赣州市 寻乌县" in origin and "三二五村委会" in origin  # down to the village
    assert "11月–2月" in origin  # on sale
    assert "常温" in origin and "30 天" in origin
    supplier = page[page.index('class="sf-panel sf-supplier"') :]
    assert "寻乌县晨光脐橙专业合作社" in supplier
    assert "已认证" in supplier


@pytest.mark.both_databases
def test_pre_sale_products_are_labelled_with_their_harvest_month(client, shop):
    supplier = authorised_supplier(name="寻乌县预售合作社")
    late = orange(
        supplier, name="赣南脐橙 纽荷尔 留树晚采", sale_months=[12, 1, 2], presale_months=[11]
    )
    off = orange(supplier, name="赣南脐橙 夏橙", sale_months=[5, 6], presale_months=[4])
    db.session.commit()
    home = text(client.get("/"))
    assert late.id in product_ids(home)
    card = home[home.index(f'data-product-id="{late.id}"') :]
    assert "预售 · 12月发货" in card[: card.index("</a>")]
    season = text(client.get("/c/fresh-fruit?season=now"))
    assert late.id in product_ids(season) and off.id not in product_ids(season)


# ----------------------------------------------------------------------------- listing


@pytest.mark.both_databases
def test_category_sorts_filters_and_pages(client, app, reference, november):
    supplier = authorised_supplier(name="信丰县排序合作社", region_code="360722100201")
    other = authorised_supplier(name="寻乌县排序合作社")
    cheap = orange(supplier, grades=(("5 kg", "second", 2990),), with_picture=False)
    dear = orange(other, grades=(("5 kg", "premium", 9990),))
    chilled = orange(other, grades=(("5 kg", "first", 5990),), storage_class="chilled")
    db.session.commit()

    html = text(client.get("/c/fresh-fruit?sort=price_asc"))
    order = [int(x) for x in re.findall(r'data-product-id="(\d+)"', html)]
    assert order == [cheap.id, chilled.id, dear.id]
    html = text(client.get("/c/fresh-fruit?sort=price_desc"))
    assert re.findall(r'data-product-id="(\d+)"', html)[0] == str(dear.id)
    assert product_ids(text(client.get("/c/fresh-fruit?county=360722"))) == {cheap.id}
    assert product_ids(text(client.get("/c/fresh-fruit?storage=chilled"))) == {chilled.id}
    assert 'class="sf-placeholder' in text(client.get("/c/fresh-fruit?county=360722"))
    assert client.get("/c/fresh-fruit?sort=price_asc&page=2").status_code == 200  # past the end
    # unknown values are ignored, never a 500
    for query in ("sort=zzz", "page=abc", "page=-4", "storage=hot", "county=12", "brand=nope"):
        assert client.get(f"/c/fresh-fruit?{query}").status_code == 200
    assert client.get("/c/no-such-category").status_code == 404
    assert client.get("/brands/no-such-brand").status_code == 404


def test_category_pagination(client, app, reference, november):
    supplier = authorised_supplier(name="寻乌县分页合作社")
    made = [orange(supplier, with_picture=False) for _ in range(26)]
    db.session.commit()
    first = product_ids(text(client.get("/c/fresh-fruit")))
    second_html = text(client.get("/c/fresh-fruit?page=2"))
    second = product_ids(second_html)
    assert len(first) == 24 and len(second) == 2
    assert first | second == {p.id for p in made}
    assert "2 / 2" in second_html


# ----------------------------------------------------------------------------- English


def test_english_switch_renders_the_pages_in_english(client, shop):
    client.get("/lang/en")
    home = text(client.get("/"))
    assert "Regional brands" in home and "In season in Nov" in home
    assert "Gannan navel orange" in home  # the brand's English name
    listing = text(client.get("/c/fresh-fruit"))
    assert "Fresh fruit" in listing and "Newest" in listing and "County of origin" in listing
    page = text(client.get(f"/p/{shop['product'].id}"))
    for words in ("Commitment certificate", "Trace this batch", "Criterion", "Add to cart"):
        assert words in page, words
    assert "Premium" in page and "Navel oranges" in page  # grade and standard in English
    assert "即将开售" not in page


def _meta_description(html: str) -> str:
    match = re.search(r'<meta name="description" content="([^"]*)">', html)
    assert match, "no meta description"
    return match.group(1)


def test_each_page_describes_itself_for_search_results(client, shop):
    product, batch = shop["product"], shop["batch"]
    home = _meta_description(client.get("/").get_data(as_text=True))
    assert "赣南优品" in home and "承诺达标合格证" in home
    category = _meta_description(client.get("/c/fresh-fruit").get_data(as_text=True))
    assert "生鲜水果" in category and "1 件商品" in category
    page = _meta_description(client.get(f"/p/{product.id}").get_data(as_text=True))
    assert "赣南脐橙 晨光果园 现摘现发" in page and "¥54.90" in page and "寻乌县" in page
    trace = _meta_description(client.get(f"/t/{batch.code}").get_data(as_text=True))
    assert batch.code in trace and "寻乌县晨光脐橙专业合作社" in trace
    brand = _meta_description(client.get("/brands/gannan-navel-orange").get_data(as_text=True))
    assert "赣南脐橙" in brand
    cart = _meta_description(client.get("/cart").get_data(as_text=True))
    assert cart.startswith("赣南优品 — ")  # the platform's line by default
    for text in (home, category, page, trace, brand):
        assert 20 <= len(text) <= 200, text  # a sentence or two, as a result snippet shows


def test_pictures_offer_their_renditions_and_only_the_first_screen_loads_at_once(client, shop):
    for _ in range(3):
        orange(shop["supplier"])  # a rail of four cards
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    cards = re.findall(r'<a class="sf-card".*?<img ([^>]*)>', html, re.S)
    assert len(cards) >= 4
    first, second, third = cards[0], cards[1], cards[2]
    for img in cards:
        # 64 px test pictures: every rendition is 64 wide, so it is offered once
        assert re.search(r'srcset="/media/images/\d+/thumb 64w"', img), img
        assert 'sizes="(min-width: 960px) 300px' in img
        assert re.search(r'width="64" height="64"', img)
    assert 'fetchpriority="high"' in first and "loading=" not in first
    assert "loading=" not in second and "fetchpriority" not in second
    assert 'loading="lazy"' in third and 'decoding="async"' in third

    page = client.get(f"/p/{shop['product'].id}").get_data(as_text=True)
    gallery = re.search(r'<figure class="sf-slide"[^>]*>\s*<img ([^>]*)>', page)
    assert gallery and 'fetchpriority="high"' in gallery.group(1)
    assert 'sizes="(min-width: 960px) 560px, 100vw"' in gallery.group(1)
    assert '<link rel="icon" href="/static/favicon.svg"' in page  # no 404 in the console


def test_robots_txt_lets_crawlers_read_the_shop_but_not_the_api_or_staff_pages(client):
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots.mimetype == "text/plain"
    rules = [line.split(":", 1)[1].strip() for line in robots.get_data(as_text=True).splitlines()]
    disallowed = [rule for rule in rules if rule.startswith("/")]
    assert "/api/" in disallowed and "/console/" in disallowed
    for page in ("/", "/c/fresh-fruit", "/p/1", "/t/GNTEST000001", "/cart", "/checkout"):
        assert not any(page.startswith(rule) for rule in disallowed), page
