"""Each role logs in through the real login form and lands on its own home page."""

from __future__ import annotations

import pytest

from tests import factories
from tests.browser.fixtures import browser_login
from yipin.db import db

pytestmark = pytest.mark.browser

HOMES = {
    "consumer": ("/", "[data-page=consumer-home]"),
    "supplier": ("/supplier/", "[data-page=supplier-home]"),
    "operator": ("/console/", "[data-page=operator-home]"),
    "bureau": ("/bureau/", "[data-page=bureau-home]"),
}


@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_logs_in_and_sees_its_home(live_server, page, role):
    user = {
        "consumer": factories.consumer,
        "supplier": lambda **kw: factories.supplier_staff(owner=True, **kw),
        "operator": factories.operator,
        "bureau": factories.bureau,
    }[role](display_name=f"测试{role}")
    db.session.commit()
    browser_login(page, live_server, user.login)
    path, marker = HOMES[role]
    assert page.url == live_server + path
    assert page.locator(marker).is_visible()
    assert page.locator(f".who[data-role={role}]").inner_text() == f"测试{role}"
