"""The supplier's stock pages: the variant × warehouse table, the forms, its warehouses."""

from __future__ import annotations

import re

import sqlalchemy as sa

from catalog.models import ProductStatus
from fulfillment import actions
from fulfillment.models import Stock, Warehouse
from tests import factories as f
from tests.conftest import login
from tests.fulfillment.world import listed, page_token
from yipin.db import db


def test_stock_table_shows_available_low_stock_and_storage_checks(world, client):
    actions.set_on_hand(db.session, world.staff, world.variant.id, world.own_wh.id, 50)
    actions.set_on_hand(db.session, world.staff, world.variant.id, world.shared_wh.id, 8)
    actions.set_on_hand(db.session, world.staff, world.chilled_variant.id, world.own_wh.id, 0)
    db.session.scalars(sa.select(Stock).where(Stock.on_hand == 50)).one().reserved = 5
    db.session.commit()
    login(client, world.staff)
    page = client.get("/supplier/stock/").get_data(as_text=True)
    assert "寻乌晨光产地仓" in page and "寻乌县物流配送中心" in page
    assert "安远东江源产地仓" not in page  # another supplier's warehouse is never a column
    assert re.search(r'class="num cell "[^>]*>\s*<a[^>]*>\s*<b>45</b>', page)  # 50 − 5
    assert "预留 5" in page
    assert re.search(r'class="num cell low"[^>]*>\s*<a[^>]*>\s*<b>8</b>', page)
    assert re.search(r'class="num cell out"', page)  # the chilled variant has none available
    assert "不能冷藏" in page  # chilled flesh cannot go to the ambient-only hub
    assert "53" in page  # total available of the orange variant (45 + 8)


def test_setting_stock_through_the_form_and_seeing_refusals(world, client):
    login(client, world.staff)
    token = page_token(client)
    response = client.post(
        "/supplier/stock/set",
        data={
            "csrf_token": token,
            "set-variant_id": world.variant.id,
            "set-warehouse_id": world.own_wh.id,
            "set-on_hand": "120",
            "set-reason": "月度盘点",
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "库存已设置：在库 120 件，可用 120 件。" in page
    assert "月度盘点" in page  # in the recent changes
    refused = client.post(
        "/supplier/stock/set",
        data={
            "csrf_token": token,
            "set-variant_id": world.chilled_variant.id,
            "set-warehouse_id": world.shared_wh.id,
            "set-on_hand": "5",
        },
    )
    assert refused.status_code == 422
    assert "需冷藏储存" in refused.get_data(as_text=True)
    too_many = client.post(
        "/supplier/stock/adjust",
        data={
            "csrf_token": token,
            "adj-variant_id": world.variant.id,
            "adj-warehouse_id": world.own_wh.id,
            "adj-delta": "-121",
            "adj-reason": "损耗",
        },
    )
    assert too_many.status_code == 422 and "库存不足" in too_many.get_data(as_text=True)
    db.session.expire_all()
    assert [s.on_hand for s in db.session.scalars(sa.select(Stock))] == [120]
    assert listed(world.product.id) == ProductStatus.LISTED


def test_supplier_adds_and_closes_its_own_warehouse(world, client):
    login(client, world.owner)
    token = page_token(client, "/supplier/stock/warehouses/new")
    response = client.post(
        "/supplier/stock/warehouses/new",
        data={
            "csrf_token": token,
            "code": "XW-CN-02",
            "name": "长宁镇自营冷库",
            "kind": "origin",
            "region_code": "360734100201",
            "cold_capability": "chilled",
            "supplier_id": str(world.other.id),  # ignored: always the own supplier
        },
    )
    assert response.status_code == 302
    warehouse = db.session.scalars(sa.select(Warehouse).where(Warehouse.code == "XW-CN-02")).one()
    assert warehouse.supplier_id == world.supplier.id
    page = client.get("/supplier/stock/warehouses").get_data(as_text=True)
    assert "长宁镇自营冷库" in page and "平台共享仓" in page and "安远东江源产地仓" not in page
    client.post(f"/supplier/stock/warehouses/{warehouse.id}/active", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Warehouse, warehouse.id).is_active is False
    assert client.get(f"/supplier/stock/warehouses/{world.shared_wh.id}/edit").status_code == 403


def test_stock_page_query_count_does_not_grow_with_variants(world, client, count_queries):
    login(client, world.staff)

    def queries() -> int:
        with count_queries() as counted:
            assert client.get("/supplier/stock/").status_code == 200
        return counted.count

    few = queries()
    for i in range(12):
        product = f.ProductFactory(supplier=world.supplier)
        variant = f.VariantFactory(product=product, sku=f"XW-MANY-{i}")
        actions.set_on_hand(db.session, world.staff, variant.id, world.own_wh.id, i)
    db.session.commit()
    assert queries() == few
