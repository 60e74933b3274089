"""The platform's region is configuration: the same code serves 南昌市 (3601) or the whole of
江西省 (36) by setting ``PLATFORM_REGION`` (and the brand ``PLATFORM_NAME``), with the region's
townships and villages loaded as an installation would (``flask regions load FILE``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import RegionalBrand
from suppliers.models import Supplier, SupplierStatus
from tests import factories
from tests.suppliers.conftest import application
from yipin.accounts import actions as accounts
from yipin.accounts.errors import InvalidAccountData
from yipin.accounts.models import Role
from yipin.config import normalise_database_url
from yipin.db import db
from yipin.regions.loader import load_regions
from yipin.regions.models import Region

pytestmark = pytest.mark.usefixtures("reference")

TOWNSHIP, VILLAGE = "360123100", "360123100201"  # 南昌市 安义县 龙津镇 凤山村委会 (test data)
GANZHOU_VILLAGE = "360734100201"  # 赣州市 寻乌县 长宁镇 三二五村委会 (bundled)
NAME = {"zh_CN": "洪城优选", "en": "Nanchang Select"}


@pytest.fixture(scope="module")
def nanchang_villages(
    postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """A township and a village of 南昌市 in the regions table (loaded from a file, as an
    installation for 南昌市 would load its own), removed again after the module."""
    path = tmp_path_factory.mktemp("regions") / "nanchang.csv"
    path.write_text(f'code,name\n{VILLAGE},"凤山村委会"\n{TOWNSHIP},"龙津镇"\n', encoding="utf-8")
    engine = sa.create_engine(normalise_database_url(postgres_url))
    with Session(engine) as session:
        load_regions(session, extra=[Path(path)])
        session.commit()
        assert session.get(Region, VILLAGE) is not None
    yield
    with Session(engine) as session:
        session.execute(sa.delete(Region).where(Region.code.in_([VILLAGE, TOWNSHIP])))
        session.commit()
    engine.dispose()


@pytest.fixture(params=["3601", "36"], ids=["city-3601", "province-36"])
def real_config(
    request: pytest.FixtureRequest, real_config: dict[str, Any], nanchang_villages: None
) -> dict[str, Any]:
    """The app on the same servers, for 南昌市 or for the province."""
    return {**real_config, "PLATFORM_REGION": request.param, "PLATFORM_NAME": NAME}


def submit(client: Any, data: dict[str, Any]) -> Any:
    return client.submit("/supplier/apply", data, content_type="multipart/form-data")


def test_the_region_loader_fills_in_full_names_from_the_bundled_parents(app):
    village = db.session.get(Region, VILLAGE)
    assert village.full_name == "江西省 南昌市 安义县 龙津镇 凤山村委会"
    assert village.parent_code == TOWNSHIP


def test_only_the_regional_brands_of_the_platforms_region_are_loaded(app):
    brands = db.session.scalars(sa.select(RegionalBrand.slug)).all()
    if app.config["PLATFORM_REGION"] == "3601":
        assert brands == []  # 南昌市 enters its own
    else:
        assert "gannan-navel-orange" in brands and "xunwu-mandarin" in brands


def test_a_supplier_applies_there_and_an_operator_verifies_it(app, client, login_as):
    region = app.config["PLATFORM_REGION"]
    page = client.get("/supplier/apply").get_data(as_text=True)
    assert f'data-value="{region}"' in page  # the location picker starts in the platform region
    assert "洪城优选" in page and "赣南优品" not in page
    picker = client.get(f"/api/v1/regions?parent={TOWNSHIP[:6]}").get_json()
    assert [(r["code"], r["has_children"]) for r in picker] == [(TOWNSHIP, True)]

    # a supplier of 赣州市 is outside a Nanchang platform (the province takes it)
    ganzhou = application(
        login="13907970002", uscc=factories.make_uscc("360734"), region_code=GANZHOU_VILLAGE
    )
    refused = submit(client, ganzhou)
    if region == "3601":
        assert refused.status_code == 422
        assert "南昌市" in refused.get_data(as_text=True)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Supplier)) == 0
    else:
        assert refused.status_code == 302
        client.submit("/logout")

    data = application(
        name="安义县龙津镇凤山水稻专业合作社",
        uscc=factories.make_uscc("360123"),
        region_code=VILLAGE,
        introduction="安义县龙津镇优质稻基地。",
    )
    response = submit(client, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    supplier = db.session.scalars(sa.select(Supplier).where(Supplier.uscc == data["uscc"])).one()
    assert supplier.status == SupplierStatus.PENDING and supplier.region_code == VILLAGE
    client.submit("/logout")

    operator = factories.operator()
    login_as(operator)
    queue = client.get("/console/suppliers/").get_data(as_text=True)
    if region == "3601":  # places are shown below the platform's region; it filters by county
        assert "安义县 龙津镇 凤山村委会" in queue and "南昌市 安义县" not in queue
        assert ">安义县</option>" in queue and ">寻乌县</option>" not in queue
    else:
        assert "南昌市 安义县 龙津镇 凤山村委会" in queue and "江西省 南昌市" not in queue
        assert ">南昌市</option>" in queue and ">赣州市</option>" in queue
    detail = client.get(f"/console/suppliers/{supplier.id}").get_data(as_text=True)
    assert "本市注册" in detail  # its 统一社会信用代码 was issued in the platform's region
    verified = client.submit(f"/console/suppliers/{supplier.id}/status", {"action": "verify"})
    assert verified.status_code == 302
    db.session.refresh(supplier)
    assert supplier.status == SupplierStatus.VERIFIED


def test_the_bureau_home_reports_the_platform_region(app, client, login_as):
    region = app.config["PLATFORM_REGION"]
    factories.SupplierFactory(region_code=VILLAGE, uscc=factories.make_uscc("360123"))
    operator = factories.operator()

    # bureau accounts cover the platform's region by default, or a part of it, nothing else
    bureau = accounts.create_staff_account(
        db.session,
        operator,
        role=Role.BUREAU,
        login="13907910001",
        password=factories.PASSWORD,
        display_name="南昌市商务局",
    )
    assert bureau.bureau_region_code == region and bureau.bureau_scope == region
    county = accounts.create_staff_account(
        db.session,
        operator,
        role=Role.BUREAU,
        login="13907910002",
        password=factories.PASSWORD,
        display_name="安义县农业农村局",
        bureau_region_code="360123",
    )
    assert county.bureau_scope == "360123"
    with pytest.raises(InvalidAccountData):
        accounts.create_staff_account(
            db.session,
            operator,
            role=Role.BUREAU,
            login="13907910003",
            password=factories.PASSWORD,
            display_name="赣州市商务局",
            bureau_region_code="3607" if region == "3601" else "4401",
        )

    login_as(bureau)
    page = client.get("/bureau/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    heading = "江西省 南昌市" if region == "3601" else "江西省"
    assert f"· {heading}</h1>" in html
    assert '<tr><td>安义县</td><td class="num">1</td>' in html
    assert ("寻乌县" in html) == (region == "36")  # Ganzhou's counties are the province's
    counties = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Region)
        .where(sa.func.length(Region.code) == 6, Region.code.startswith(region))
    )
    assert html.count("<tr><td>") == counties
