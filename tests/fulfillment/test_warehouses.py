"""Warehouses: who may create and change them, where they may lie, and the operator's list."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalog.models import StorageClass
from fulfillment import actions
from fulfillment.actions import WarehouseDraft
from fulfillment.errors import (
    DuplicateWarehouseCode,
    InvalidWarehouse,
    WarehouseInactive,
    WarehouseInUse,
    WarehouseRegionLevel,
)
from fulfillment.models import Stock, Warehouse, WarehouseKind
from tests.conftest import login
from tests.fulfillment.world import api
from yipin.db import db
from yipin.errors import Forbidden, NotFound


def draft(**kw) -> WarehouseDraft:
    values = dict(
        code="AY-HUB",
        name="安远县物流配送中心",
        kind=WarehouseKind.COUNTY_HUB,
        region_code="360726",
        cold_capability=StorageClass.CHILLED,
    )
    values.update(kw)
    return WarehouseDraft(**values)


def test_operator_creates_platform_warehouses_at_the_right_level(world):
    hub = actions.create_warehouse(db.session, world.operator, draft(code=" ay-hub "))
    assert hub.code == "AY-HUB" and hub.is_platform_run and hub.region.name == "安远县"
    point = actions.create_warehouse(
        db.session,
        world.operator,
        draft(
            code="AY-XS",
            name="欣山镇网点",
            kind=WarehouseKind.TOWNSHIP_POINT,
            region_code="360726100",
        ),
    )
    assert point.region.name == "欣山镇"
    station = actions.create_warehouse(
        db.session,
        world.operator,
        draft(
            code="AY-XT",
            name="修田村服务站",
            kind=WarehouseKind.VILLAGE_STATION,
            region_code="360726100201",
            supplier_id=world.supplier.id,
        ),
    )
    assert station.supplier_id == world.supplier.id
    for kind, region in [
        (WarehouseKind.COUNTY_HUB, "360726100"),  # a county centre must be at county level
        (WarehouseKind.TOWNSHIP_POINT, "360726"),
        (WarehouseKind.VILLAGE_STATION, "360726100"),
        (WarehouseKind.ORIGIN, "3607"),  # a city is too coarse for any warehouse
    ]:
        with pytest.raises(WarehouseRegionLevel) as caught:
            actions.create_warehouse(
                db.session, world.operator, draft(code="X-1", kind=kind, region_code=region)
            )
        assert caught.value.field == "region_code"
    with pytest.raises(InvalidWarehouse) as caught:
        actions.create_warehouse(
            db.session, world.operator, draft(code="X-2", region_code="999999")
        )
    assert caught.value.field == "region_code"
    with pytest.raises(DuplicateWarehouseCode):
        actions.create_warehouse(db.session, world.operator, draft(code="xw-hub"))
    texts = WarehouseRegionLevel(
        kind=actions.KIND_LABELS[WarehouseKind.VILLAGE_STATION],
        level=actions.LEVEL_LABELS["village"],
    ).texts()
    assert texts["zh_CN"] == "村级服务站的所在地区须为村级行政区划。"


def test_supplier_runs_only_its_own_warehouses(world):
    mine = actions.create_warehouse(
        db.session, world.staff, draft(code="XW-COLD", supplier_id=world.other.id)
    )
    assert mine.supplier_id == world.supplier.id  # never someone else's, never the platform's
    actions.update_warehouse(db.session, world.staff, mine.id, draft(code="XW-COLD", name="冷库"))
    assert mine.name == "冷库"
    with pytest.raises(Forbidden):
        actions.update_warehouse(db.session, world.staff, world.shared_wh.id, draft(code="XW-HUB"))
    with pytest.raises(NotFound):
        actions.update_warehouse(db.session, world.staff, world.other_wh.id, draft(code="A-1"))
    with pytest.raises(Forbidden):
        actions.create_warehouse(db.session, world.consumer, draft(code="A-2"))


def test_changes_that_would_strand_stock_are_refused(world):
    actions.set_on_hand(db.session, world.staff, world.chilled_variant.id, world.own_wh.id, 10)
    warm = draft(
        code=world.own_wh.code,
        name=world.own_wh.name,
        kind=WarehouseKind.ORIGIN,
        region_code=world.own_wh.region_code,
        cold_capability=StorageClass.AMBIENT,
        supplier_id=world.supplier.id,
    )
    with pytest.raises(WarehouseInUse) as caught:
        actions.update_warehouse(db.session, world.operator, world.own_wh.id, warm)
    assert caught.value.field == "cold_capability"
    moved = draft(
        code=world.own_wh.code,
        name=world.own_wh.name,
        kind=WarehouseKind.ORIGIN,
        region_code=world.own_wh.region_code,
        supplier_id=world.other.id,
    )
    with pytest.raises(WarehouseInUse):
        actions.update_warehouse(db.session, world.operator, world.own_wh.id, moved)
    stock = db.session.scalars(sa.select(Stock)).one()
    stock.reserved = 2
    db.session.flush()
    with pytest.raises(WarehouseInUse):
        actions.set_warehouse_active(db.session, world.staff, world.own_wh.id, False)
    stock.reserved = 0
    db.session.flush()
    actions.set_warehouse_active(db.session, world.staff, world.own_wh.id, False)
    with pytest.raises(WarehouseInactive):
        actions.adjust_stock(
            db.session, world.staff, world.chilled_variant.id, world.own_wh.id, 5, "入库"
        )


def test_operator_console_lists_warehouses_with_stock_totals_and_filters(world, client):
    actions.set_on_hand(db.session, world.staff, world.variant.id, world.shared_wh.id, 30)
    actions.set_on_hand(
        db.session, world.other_staff, _other_variant(world).id, world.shared_wh.id, 12
    )
    db.session.commit()
    login(client, world.operator)
    page = client.get("/console/warehouses/").get_data(as_text=True)
    assert "寻乌县物流配送中心" in page and "安远东江源产地仓" in page
    assert "42" in page  # both suppliers' units in the shared hub
    assert "平台（统仓共配）" in page and "县级物流配送中心" in page
    only_anyuan = client.get("/console/warehouses/?county=360726").get_data(as_text=True)
    assert "安远东江源产地仓" in only_anyuan and "寻乌县物流配送中心" not in only_anyuan
    hubs = client.get("/console/warehouses/?kind=county_hub").get_data(as_text=True)
    assert "寻乌县物流配送中心" in hubs and "寻乌晨光产地仓" not in hubs
    detail = client.get(f"/console/warehouses/{world.shared_wh.id}").get_data(as_text=True)
    assert "安远县东江源果业有限公司" in detail and "XW-QC-5KG-T" in detail


def test_operator_creates_and_closes_a_warehouse_through_the_console(world, client):
    login(client, world.operator)
    from tests.fulfillment.world import page_token

    token = page_token(client, "/console/warehouses/new")
    form = {
        "csrf_token": token,
        "code": "NK-FWD-01",
        "name": "南康前置仓",
        "kind": "forward",
        "region_code": "360703",
        "cold_capability": "frozen",
        "supplier_id": "",
        "address_detail": "",
        "contact_name": "",
        "contact_phone": "0797-1234567",
    }
    response = client.post("/console/warehouses/new", data=form)
    assert response.status_code == 302
    created = db.session.scalars(sa.select(Warehouse).where(Warehouse.code == "NK-FWD-01")).one()
    assert created.is_platform_run and created.cold_capability == StorageClass.FROZEN
    bad = client.post(
        "/console/warehouses/new", data={**form, "code": "NK-TP", "kind": "township_point"}
    )
    assert bad.status_code == 422 and "乡镇级行政区划" in bad.get_data(as_text=True)
    response = client.post(f"/console/warehouses/{created.id}/active", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Warehouse, created.id).is_active is False


def test_bureau_reads_the_warehouse_list_but_changes_nothing(world, client):
    login(client, world.bureau)
    assert client.get("/console/warehouses/").status_code == 200
    assert client.get(f"/console/warehouses/{world.own_wh.id}").status_code == 200
    assert client.get("/console/warehouses/new").status_code == 403
    assert api(client, "GET", "/api/v1/warehouses").status_code == 200
    response = api(
        client,
        "POST",
        "/api/v1/warehouses",
        token_from="/console/warehouses/",
        json={"code": "B-1", "name": "x", "kind": "origin", "region_code": "360734"},
    )
    assert response.status_code == 403 and response.get_json()["error"] == "read_only"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Warehouse)) == 3


def test_suppliers_cannot_open_the_console(world, client):
    login(client, world.staff)
    assert client.get("/console/warehouses/").status_code == 403
    assert client.get(f"/console/warehouses/{world.own_wh.id}").status_code == 403


def _other_variant(world):
    from tests import factories as f

    product = f.ProductFactory(supplier=world.other, origin_region_code="360726100201")
    return f.VariantFactory(product=product, sku="AY-QC-1")


def test_a_warehouse_contact_typed_with_the_country_code_is_kept_as_eleven_digits(world, client):
    """The same number a supplier gives as its contact is accepted for a warehouse (it used to
    be refused here) and stored the same way: form, portal and API alike."""
    login(client, world.operator)
    from tests.fulfillment.world import page_token

    token = page_token(client, "/console/warehouses/new")
    form = {
        "csrf_token": token,
        "code": "NK-FWD-02",
        "name": "南康前置仓二号",
        "kind": "forward",
        "region_code": "360703",
        "cold_capability": "ambient",
        "supplier_id": "",
        "contact_phone": "+86 139 0797 1234",
    }
    assert client.post("/console/warehouses/new", data=form).status_code == 302
    created = db.session.scalars(sa.select(Warehouse).where(Warehouse.code == "NK-FWD-02")).one()
    assert created.contact_phone == "13907971234"
    bad = client.post("/console/warehouses/new", data={**form, "contact_phone": "12345"})
    assert bad.status_code == 422 and "请输入 11 位手机号或带区号的固定电话" in bad.get_data(
        as_text=True
    )
    response = api(
        client,
        "PATCH",
        f"/api/v1/warehouses/{created.id}",
        token_from="/console/warehouses/",
        json={"contact_phone": "0086-139-0797-5678"},
    )
    assert response.status_code == 200 and response.get_json()["contact_phone"] == "13907975678"
    refused = api(
        client,
        "PATCH",
        f"/api/v1/warehouses/{created.id}",
        token_from="/console/warehouses/",
        json={"contact_phone": "0797-123"},
    )
    assert refused.status_code == 422 and "contact_phone" in str(refused.get_json()["errors"])
