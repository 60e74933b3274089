"""With the page cache on, a change shows on the next request to every page that shows it (a
price, stock, a delisting, a failed 抽检), and cached pages carry each visitor's own bits: two
users see their own name and CSRF token, a visitor without a cookie gets no token and no
cookie, and an unchanged page is answered 304.

Runs on PostgreSQL with Redis (versions counted in Redis, pages cached in Redis, jobs in RQ)
and on the embedded default (SQLite: versions in ``page_versions``, a cache per process,
jobs in-process).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from catalog.actions import delist, set_price
from catalog.models import InspectionResult
from catalog.trace.sampling import SamplingDraft, record_sample
from fulfillment import actions as fulfillment_actions
from fulfillment.models import Stock
from search import index
from tests import factories, testbed
from tests.conftest import FAST_HASHING, PASSWORD, _app_with, login
from yipin.db import db

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')
CART_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


@pytest.fixture(params=["postgresql+redis", "sqlite"])
def app(request: pytest.FixtureRequest, media_dir: Path) -> Iterator[Flask]:
    """The app with the page cache on: PostgreSQL + Redis, or the embedded default."""
    cfg: dict[str, Any] = {
        "TESTING": True,
        "MEDIA_DIR": str(media_dir),
        "PAGE_CACHE": True,
        **FAST_HASHING,
    }
    if request.param == "sqlite":
        cfg["DATABASE_URL"] = request.getfixturevalue("sqlite_url")
    else:
        cfg["DATABASE_URL"] = request.getfixturevalue("postgres_url")
        cfg["REDIS_URL"] = testbed.redis_url(testbed.require("redis"))
    yield from _app_with(cfg)


def text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.get_data(as_text=True))


def shown(html: str) -> set[int]:
    return {int(x) for x in re.findall(r'class="sf-card"[^>]*data-product-id="(\d+)"', html)}


@pytest.fixture
def stocked(shop: dict[str, Any]) -> dict[str, Any]:
    """The shop's product in stock in a warehouse, and in the search engine's rows."""
    product = shop["product"]
    warehouse = factories.WarehouseFactory()
    for variant in product.variants:
        factories.StockFactory(variant=variant, warehouse=warehouse, on_hand=20)
    db.session.flush()
    index.sync_product(product.id)
    db.session.commit()
    return {**shop, "warehouse": warehouse}


def pages(shop: dict[str, Any]) -> dict[str, str]:
    product = shop["product"]
    return {
        "home": "/",
        "brand": "/brands/gannan-navel-orange",
        "category": "/c/fresh-fruit",
        "product": f"/p/{product.id}",
        "trace": f"/t/{shop['batch'].code}",
        "search": "/search?q=脐橙",
        "search in stock": "/search?q=脐橙&stock=1",
    }


def warm(client: Any, urls: dict[str, str]) -> None:
    for url in urls.values():
        text(client.get(url))
        text(client.get(url))


def test_a_change_shows_on_the_next_request_to_every_page_that_shows_it(client, stocked):
    product, first = stocked["product"], stocked["first"]
    operator = factories.operator()
    db.session.commit()
    urls = pages(stocked)
    listings = ("home", "brand", "category", "search", "search in stock")
    warm(client, urls)
    for name in listings:
        assert product.id in shown(text(client.get(urls[name]))), name

    # a change behind the app's back (no topic, no mark) is not seen: the pages are cached
    variant = type(first)
    db.session.execute(sa.update(variant).where(variant.id == first.id).values(price_fen=1234))
    db.session.commit()
    html = text(client.get(urls["category"]))
    assert "¥54.90" in html and "¥12.34" not in html

    # a price
    set_price(db.session, operator, first.id, 4990)
    db.session.commit()
    for name in ("home", "brand", "category", "product", "search"):
        html = text(client.get(urls[name]))
        assert "¥49.90" in html and "¥54.90" not in html, name

    # stock: the search page's availability (the other pages show none)
    warm(client, urls)
    for stock in db.session.scalars(sa.select(Stock)):
        fulfillment_actions.set_on_hand(
            db.session, operator, stock.variant_id, stock.warehouse_id, 0, reason="盘点"
        )
    db.session.commit()
    assert product.id not in shown(text(client.get(urls["search in stock"])))
    assert product.id in shown(text(client.get(urls["search"])))

    # a failed 抽检: the batch is recalled on its traceability page and leaves the product page
    warm(client, urls)
    batch = stocked["batch"]
    assert f'data-batch="{batch.code}"' in text(client.get(urls["product"]))
    record_sample(
        db.session,
        operator,
        SamplingDraft(
            batch_code=batch.code,
            sampled_on=date(2026, 11, 18),
            agency="赣州市市场监督管理局",
            result=InspectionResult.FAIL,
            items="农药残留",
        ),
    )
    db.session.commit()
    assert "data-recall" in text(client.get(urls["trace"]))
    assert f'data-batch="{batch.code}"' not in text(client.get(urls["product"]))

    # a delisting: gone from every list, its page a 404
    warm(client, urls)
    delist(db.session, operator, product.id, "抽检不合格")
    db.session.commit()
    for name in listings:
        assert product.id not in shown(text(client.get(urls[name]))), name
    assert client.get(urls["product"]).status_code == 404


def test_cached_pages_carry_each_visitors_own_name_and_token(app, shop):
    url = f"/p/{shop['product'].id}"
    ann, bo = factories.consumer(display_name="安安"), factories.consumer(display_name="波波")
    db.session.commit()
    clients = {}
    for user in (ann, bo):
        clients[user.display_name] = browser = app.test_client()
        login(browser, user, PASSWORD)
    guest = app.test_client()
    text(guest.get(url))  # cached by a guest first: nothing of anyone's own in it

    tokens = {}
    for name, browser in clients.items():
        html = text(browser.get(url))
        other = "波波" if name == "安安" else "安安"
        assert f">{name}</a>" in html and other not in html
        (meta,) = CSRF_META.findall(html)
        assert meta and set(CART_TOKEN.findall(html)) == {meta}  # add-to-cart and log-out
        tokens[name] = meta
        response = browser.get(url)
        assert response.headers["Cache-Control"] == "private, no-cache"
        assert "Cookie" in response.headers["Vary"]
    assert tokens["安安"] != tokens["波波"]

    # each token works: the add-to-cart form of the cached page is accepted
    for name, browser in clients.items():
        added = browser.post(
            "/cart/add",
            data={"csrf_token": tokens[name], "variant_id": shop["first"].id, "quantity": 1},
        )
        assert added.status_code in (302, 303), added.status_code


def test_a_visitor_without_cookies_gets_no_token_no_cookie_and_a_304(app, shop):
    url = f"/p/{shop['product'].id}"
    guest = app.test_client()
    for _ in range(2):  # rendered, then from the cache
        response = guest.get(url)
        html = text(response)
        assert "Set-Cookie" not in response.headers
        assert CSRF_META.findall(html) == [""]
        assert CART_TOKEN.findall(html) == [""]
        assert response.headers["Cache-Control"] == "public, no-cache"
        assert "Cookie" in response.headers["Vary"]
        assert "登录" in html  # the guest's nav
    etag = response.headers["ETag"]
    assert etag.startswith('W/"')
    again = guest.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert "Set-Cookie" not in again.headers

    # a change: the old ETag no longer matches
    set_price(db.session, factories.operator(), shop["first"].id, 4990)
    db.session.commit()
    changed = guest.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "¥49.90" in text(changed)


def test_a_form_sent_without_a_token_leads_back_to_press_again(app, shop):
    """Without JavaScript the empty token of a cached page is refused; the visitor is sent
    back to the page, which now has a session and a token, and pressing again works."""
    url = f"/p/{shop['product'].id}"
    guest = app.test_client()
    text(guest.get(url))
    refused = guest.post(
        "/cart/add",
        data={"csrf_token": "", "variant_id": shop["first"].id, "quantity": 1},
        headers={"Referer": f"http://localhost{url}"},
    )
    assert refused.status_code == 303 and refused.headers["Location"] == url
    html = text(guest.get(url))
    assert "请再按一次" in html  # the note, in the page's language (zh-CN)
    (token,) = CSRF_META.findall(html)
    assert token
    added = guest.post(
        "/cart/add", data={"csrf_token": token, "variant_id": shop["first"].id, "quantity": 1}
    )
    assert added.status_code in (302, 303)

    fresh = app.test_client()  # what site.js asks before the first form is sent
    response = fresh.get("/csrf-token")
    assert response.json["csrf_token"] and "Set-Cookie" in response.headers
