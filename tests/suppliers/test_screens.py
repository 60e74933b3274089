"""The apply page, the portal and the verification queue in a real browser, phone-sized (390 px)
and on a desktop. Screenshots go to ``$YIPIN_SCREENSHOT_DIR`` (or the test's tmp dir) so that a
human can look at them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from suppliers.models import Supplier, SupplierStatus
from tests import factories
from tests.browser.fixtures import browser_login
from tests.suppliers.conftest import image_bytes
from yipin.db import db

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference")]


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("YIPIN_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def choose_region(page, county: str, township: str, village: str) -> None:
    for level, name in ((2, county), (3, township), (4, village)):
        select = page.locator(f'[data-region-picker] select[data-level="{level}"]')
        select.locator("option", has_text=name).first.wait_for(state="attached")
        select.select_option(label=name)


def test_an_owner_applies_on_a_phone(live_server, browse, tmp_path):
    folder = shots(tmp_path)
    code = factories.make_uscc("360734", "93")
    licence = image_bytes()

    def steps(page) -> None:
        page.goto(f"{live_server}/supplier/apply")
        assert page.locator("h1").inner_text() == "申请入驻"
        # the picker starts inside the platform's region: 江西省 › 赣州市 › (county)
        county = page.locator('[data-region-picker] select[data-level="2"]')
        county.locator("option", has_text="寻乌县").wait_for(state="attached")
        no_sideways_scroll(page)
        page.screenshot(path=str(folder / "apply-390.png"), full_page=True)

        food = page.locator("[data-food-licence]")
        assert food.is_hidden()  # nothing chosen yet
        page.check("input[name=main_category_ids][data-needs-sc] >> nth=0")
        assert food.is_visible()
        page.uncheck("input[name=main_category_ids][data-needs-sc] >> nth=0")
        assert food.is_hidden()

        page.fill("input[name=display_name]", "刘建华")
        page.fill("input[name=login]", "13907970002")
        page.fill("input[name=password]", "Gannan2026")
        page.fill("input[name=name]", "寻乌县晨光脐橙专业合作社")
        page.check("input[name=kind][value=cooperative]")
        page.fill("input[name=uscc]", code)
        page.fill("input[name=legal_representative]", "刘建华")
        page.fill("input[name=registered_on]", "2015-06-01")
        page.fill("input[name=contact_name]", "刘建华")
        page.fill("input[name=contact_phone]", "13907970002")
        choose_region(page, "寻乌县", "长宁镇", "三二五村委会")
        assert page.locator("input[name=region_code]").input_value() == "360734100201"
        page.check("input[name=main_category_ids]:not([data-needs-sc]) >> nth=0")
        page.set_input_files(
            "input[name=licence_image]",
            files=[{"name": "执照.png", "mimeType": "image/png", "buffer": licence}],
        )
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{live_server}/supplier/")
        assert page.locator("[data-page=supplier-home]").is_visible()
        assert page.locator('[data-status-banner="pending"]').is_visible()
        no_sideways_scroll(page)
        page.screenshot(path=str(folder / "portal-home-390.png"), full_page=True)

    browse(steps)
    db.session.expire_all()
    assert db.session.query(Supplier).one().status == SupplierStatus.PENDING


def test_a_wrong_credit_code_is_explained_next_to_the_field(live_server, browse, tmp_path):
    folder = shots(tmp_path)

    def steps(page) -> None:
        page.goto(f"{live_server}/supplier/apply")
        page.fill("input[name=name]", "寻乌县晨光脐橙专业合作社")
        page.check("input[name=kind][value=enterprise]")
        page.fill("input[name=uscc]", "91350100M000100Y44")
        page.check("input[name=main_category_ids][data-needs-sc] >> nth=1")
        page.click("button[type=submit].primary")
        page.wait_for_load_state("networkidle")
        uscc_error = page.locator(".field.has-error:has(input[name=uscc]) .error")
        assert "校验码" in uscc_error.inner_text()
        assert page.locator("[data-food-licence]").is_visible()  # tea needs a food licence
        number = page.locator(".has-error:has(input[name=food_licence_number])")
        assert "经营茶叶需填写" in number.inner_text()
        no_sideways_scroll(page)
        page.screenshot(path=str(folder / "apply-errors-390.png"), full_page=True)

    browse(steps)
    assert db.session.query(Supplier).count() == 0


def test_the_verification_queue_on_a_phone_and_a_desktop(live_server, browse, tmp_path):
    folder = shots(tmp_path)
    names = ["寻乌县晨光脐橙专业合作社", "赣州市南康区旭日家庭农场", "江西宁都富硒农业有限公司"]
    for i, name in enumerate(names):
        factories.SupplierFactory(name=name, status=SupplierStatus.PENDING if i else "verified")
    operator = factories.operator().login
    db.session.commit()

    def steps(page) -> None:
        browser_login(page, live_server, operator)
        page.goto(f"{live_server}/console/suppliers/")
        assert page.locator("[data-page=supplier-queue]").is_visible()
        items = page.locator("[data-queue] li")
        assert items.count() == 3
        assert items.first.get_attribute("data-status") == "pending"
        no_sideways_scroll(page)
        page.screenshot(path=str(folder / "queue-390.png"), full_page=True)
        items.first.locator("a").click()
        page.wait_for_selector("[data-page=supplier-detail]")
        no_sideways_scroll(page)
        page.screenshot(path=str(folder / "detail-390.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{live_server}/console/suppliers/")
        page.screenshot(path=str(folder / "queue-1280.png"), full_page=True)
        page.context.clear_cookies()
        page.goto(f"{live_server}/supplier/apply")
        page.locator('[data-region-picker] select[data-level="2"] option').nth(1).wait_for(
            state="attached"
        )
        page.screenshot(path=str(folder / "apply-1280.png"), full_page=True)

    browse(steps)


def test_the_staff_page_and_the_brand_authorisations_on_a_phone(live_server, browse, tmp_path):
    folder = shots(tmp_path)
    supplier = factories.SupplierFactory(name="寻乌县晨光脐橙专业合作社")
    owner = factories.supplier_staff(supplier, owner=True, display_name="刘建华").login
    factories.supplier_staff(supplier, display_name="钟小梅", is_active=False)
    factories.authorise(supplier)
    operator = factories.operator().login
    db.session.commit()

    def steps(page) -> None:
        browser_login(page, live_server, owner)
        page.goto(f"{live_server}/supplier/staff")
        page.fill("input[name=invite_name]", "赖小军")
        page.click("form[action$='/staff/invitations'] button[type=submit]")
        assert "/supplier/join/" in page.locator("#invite-link").inner_text()
        no_sideways_scroll(page)
        page.screenshot(path=str(folder / "staff-390.png"), full_page=True)
        page.goto(f"{live_server}/supplier/authorisations")
        no_sideways_scroll(page)
        page.screenshot(path=str(folder / "portal-authorisations-390.png"), full_page=True)

        page.context.clear_cookies()
        browser_login(page, live_server, operator)
        page.goto(f"{live_server}/console/suppliers/authorisations")
        assert page.locator("[data-authorisations] [data-state=valid]").count() == 1
        no_sideways_scroll(page)
        page.screenshot(path=str(folder / "console-authorisations-390.png"), full_page=True)

    browse(steps)
