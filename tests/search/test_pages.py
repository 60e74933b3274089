"""The storefront's search page and the header's search box (with suggestions in Chromium)."""

from __future__ import annotations

import re

import pytest

from tests.search import corpus


def test_the_search_page_shows_results_facets_and_sorting(embedded_catalog, embedded_client):
    page = embedded_client.get("/search", query_string={"q": "qicheng"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-engine="sql"' in html
    assert html.count('class="sf-card"') == 5
    assert "赣南<mark>脐橙</mark> 澄江果园" in html
    for facet in ("category", "brand", "county", "storage", "price", "season", "stock"):
        assert f'data-facet="{facet}"' in html, facet
    assert re.search(r'data-value="360734">寻乌县 <small>1</small>', html)
    for sort in ("sales", "price_asc", "price_desc", "new"):
        assert f"sort={sort}" in html


def test_a_filter_is_shown_selected_and_can_be_removed(embedded_catalog, embedded_client):
    html = embedded_client.get("/search", query_string={"q": "脐橙", "county": "360734"}).get_data(
        as_text=True
    )
    assert html.count('class="sf-card"') == 1
    assert 'class="active" aria-current="true" data-value="360734"' in html
    assert 'href="/search?q=%E8%84%90%E6%A9%99"' in html  # the chip's link drops the filter


def test_did_you_mean(embedded_catalog, embedded_client):
    html = embedded_client.get("/search", query_string={"q": "qichen"}).get_data(as_text=True)
    assert 'data-suggestion="脐橙"' in html
    assert html.count('class="sf-card"') == 5
    empty = embedded_client.get("/search", query_string={"q": "火龙果"}).get_data(as_text=True)
    assert "sf-empty" in empty


def test_the_header_has_a_search_box(embedded_catalog, embedded_client):
    html = embedded_client.get("/").get_data(as_text=True)
    assert 'class="site-search"' in html and 'data-suggest="/api/v1/search/suggest"' in html
    assert "search-box.js" in html


@pytest.mark.browser
def test_typing_in_the_header_box_suggests_and_opens_a_product(app, es, catalog, live_server, page):
    """On the real servers the box asks Elasticsearch: the corpus is indexed there first (a
    suggestion list comes from the index the shopper's products are in, not from one an
    earlier test left under this process's prefix)."""
    page.goto(live_server + "/")
    box = page.locator("form.site-search input[name=q]")
    box.fill("gnqc")
    options = page.locator("#site-search-list [role=option]")
    options.first.wait_for()
    assert options.first.inner_text() == "赣南脐橙"  # the brand
    assert "<mark>" in options.nth(1).inner_html()
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/p/\d+$"))
    assert int(page.url.rsplit("/", 1)[1]) in {catalog[k] for k in corpus.ORANGES.split()}


def _statements(client, count_queries, url: str, **args) -> int:
    with count_queries() as queries:
        assert client.get(url, query_string=args).status_code == 200
    return queries.count


def test_the_search_page_and_api_issue_the_same_statements_for_more_products(
    embedded_catalog, embedded_client, count_queries
):
    """No N+1: three times the products (and results), the same statements."""
    from yipin.db import db

    urls = [("/search", {"q": "脐橙"}), ("/api/v1/search", {"q": "qicheng"})]
    for url, args in urls:  # warm the label caches
        _statements(embedded_client, count_queries, url, **args)
    before = [_statements(embedded_client, count_queries, url, **args) for url, args in urls]
    for copy in (1, 2):
        corpus.load(copy=copy)
    db.session.commit()
    from search import index

    index.reindex()
    after = [_statements(embedded_client, count_queries, url, **args) for url, args in urls]
    assert after == before
