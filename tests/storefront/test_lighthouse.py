"""Lighthouse (the npm package, mobile defaults, on Debian's Chromium) on the pages a shopper
sees, with the demo's catalog: home, a category, a product, a batch's traceability page, and a
logged-in consumer's cart and checkout. Accessibility, best practices and SEO must be 100 on
each, and the home page at most 150 KB on the wire. Performance is timing (noisy on a shared
machine): printed here, measured by ``bench/lighthouse.py``, not asserted.

One Chromium per page (about 15 s each); the demo catalog without its year of orders.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from catalog.models import Batch, BatchStatus, Product, Variant
from fulfillment.holds import available_units
from orders.models import Cart, CartLine
from tests import testbed
from tests.storefront.test_screenshots import showcase_product
from yipin import platform
from yipin.accounts.models import User
from yipin.db import commit, db
from yipin.seed import accounts
from yipin.seed.context import DEMO_PASSWORD, SeedContext

pytestmark = pytest.mark.browser

ASSERTED = ("accessibility", "best-practices", "seo")
HOME_BUDGET_KB = 150
# the demo's catalog and stock: what the storefront, the cart and the checkout show
CATALOG_DOMAINS = ("suppliers", "catalog", "fulfillment")
CONSUMER = "13900000011"


def seed_demo_catalog() -> None:
    """The demo's accounts, suppliers, catalog (pictures, batches) and stock; no orders."""
    from yipin.seed.reference import run as reference

    reference(lambda line: None)
    ctx = SeedContext(session=db.session, rng=random.Random(20261123), echo=lambda line: None)
    accounts.seed(ctx)
    for domain in platform.current().domains:
        if domain.name in CATALOG_DOMAINS and domain.seed_demo:
            domain.seed_demo(ctx)
            db.session.flush()
    commit()


def in_stock_batch(product_id: int) -> Batch:
    """The product's first batch on sale whose variant has units free: the demo sells out
    about one variant in twenty, and which one follows the seed's random draws."""
    batches = db.session.scalars(
        sa.select(Batch)
        .join(Variant, Batch.variant_id == Variant.id)
        .where(Variant.product_id == product_id, Batch.status == BatchStatus.ACTIVE)
        .order_by(Batch.id)
    ).all()
    free = available_units(db.session, [b.variant_id for b in batches])
    return next(b for b in batches if free[b.variant_id] > 0)


def consumer_cookie(app: Flask, client: Any, variant_id: int) -> str:
    """Log the demo consumer in through the form, put a variant in the cart; the Cookie header
    that carries this login to Lighthouse's Chromium."""
    login = client.submit("/login", {"login": CONSUMER, "password": DEMO_PASSWORD})
    assert login.status_code == 302, login.get_data(as_text=True)[:300]
    added = client.submit("/cart/add", {"variant_id": variant_id, "quantity": 1})
    assert added.status_code == 302
    # the cart and the checkout Lighthouse audits hold it (a refusal redirects too, with a flash)
    in_cart = db.session.scalars(
        sa.select(CartLine.variant_id).join(Cart).join(User).where(User.phone == CONSUMER)
    ).all()
    assert in_cart == [variant_id], in_cart
    names = [app.config["SESSION_COOKIE_NAME"], app.config.get("REMEMBER_COOKIE_NAME")]
    cookies = [client.get_cookie(name) for name in names if name]
    return "; ".join(f"{c.key}={c.value}" for c in cookies if c is not None)


def test_storefront_pages_score_100_on_lighthouse(app, live_server, client):
    cli = testbed.require("lighthouse")
    testbed.require("chromium")
    seed_demo_catalog()
    product_id = showcase_product()
    product = db.session.get(Product, product_id)
    assert product is not None
    batch = in_stock_batch(product_id)
    logged_in = {"Cookie": consumer_cookie(app, client, batch.variant_id)}
    pages: dict[str, tuple[str, dict[str, str] | None]] = {
        "home": ("/", None),
        "category": (f"/c/{product.category.slug}", None),
        "product": (f"/p/{product_id}", None),
        "trace": (f"/t/{batch.code}", None),
        "cart": ("/cart", logged_in),
        "checkout": ("/checkout", logged_in),
    }
    reports = {}
    for name, (path, headers) in pages.items():
        report = testbed.run_lighthouse(live_server + path, cli=cli, headers=headers)
        reports[name] = report
        scores = "  ".join(f"{key} {value:3d}" for key, value in report.scores.items())
        print(f"lighthouse {name:9} {scores}  {report.transferred_kb:6.1f} KB  {path}")

    for name, (path, _headers) in pages.items():  # the page itself, not a login or a redirect
        assert reports[name].final_url == live_server + path, (name, reports[name].final_url)
    below = {
        f"{name} {category} {report.scores.get(category)}": report.failures.get(category, [])
        for name, report in reports.items()
        for category in ASSERTED
        if report.scores.get(category) != 100
    }
    assert not below, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in below.items())
    home_kb = reports["home"].transferred_kb
    assert home_kb <= HOME_BUDGET_KB, f"home page {home_kb:.1f} KB > {HOME_BUDGET_KB} KB"
