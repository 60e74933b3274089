"""The rest of the order API: addresses, pickup points (public), the operators' rate card and
国有企业 list, and the sales ledger in each caller's scope."""

from __future__ import annotations

from orders.models import PaymentMethod
from orders.payments.service import confirm_bank_transfer
from suppliers import uscc
from tests import factories as f
from tests.orders.world import buy
from yipin.accounts.actions import issue_api_token
from yipin.db import db


def _token(user):
    _row, secret = issue_api_token(db.session, user, "app")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_addresses_anywhere_in_china_and_pickup_points_near_them(app, shop):
    client = app.test_client()
    me = _token(shop.consumer)
    lhasa = {
        "recipient_name": "扎西",
        "phone": "+86 139-0797-1234",
        "region_code": "540102",
        "detail": "北京中路 8 号",
    }
    r = client.post("/api/v1/addresses", json=lhasa, headers=me)
    assert r.status_code == 201 and r.json["phone"] == "13907971234"
    assert "西藏自治区" in r.json["region_name"]
    city_only = {**lhasa, "region_code": "5401"}
    assert client.post("/api/v1/addresses", json=city_only, headers=me).status_code == 422
    listed = client.get("/api/v1/addresses", headers=me).json
    assert [a["is_default"] for a in listed] == [True, False]  # the saved one stays default
    other = _token(f.consumer())
    assert client.delete(f"/api/v1/addresses/{r.json['id']}", headers=other).status_code == 404
    points = client.get("/api/v1/pickup-points?region=360734100201").json
    assert [p["code"] for p in points] == ["CZ-360734100201"]
    assert client.get("/api/v1/pickup-points?region=360734100201&storage_class=chilled").json == []
    spec = client.get("/api/openapi.json").json
    assert spec["paths"]["/api/v1/pickup-points"]["get"]["security"] == []
    assert spec["paths"]["/api/v1/payments/stripe/webhook"]["post"]["security"] == []


def test_operators_edit_the_rate_card_and_the_state_owned_list(app, shop):
    client = app.test_client()
    operator = _token(shop.operator)
    rates = client.get(
        "/api/v1/shipping-rates?province_code=11&service=standard", headers=operator
    ).json
    assert len(rates) == 1 and rates[0]["first_fen"] == 1000
    r = client.patch(
        f"/api/v1/shipping-rates/{rates[0]['id']}", headers=operator, json={"first_fen": 1200}
    )
    assert r.status_code == 200 and r.json["first_fen"] == 1200
    assert (
        client.patch(
            f"/api/v1/shipping-rates/{rates[0]['id']}",
            headers=_token(shop.consumer),
            json={"first_fen": 1},
        ).status_code
        == 403
    )
    code = uscc.make("91360700MA35XY12Q")
    added = client.post(
        "/api/v1/state-owned-enterprises",
        headers=operator,
        json={"uscc": code, "name": "江西某国有集团有限公司"},
    )
    assert added.status_code == 201
    again = client.post(
        "/api/v1/state-owned-enterprises",
        headers=operator,
        json={"uscc": code, "name": "江西某国有集团有限公司"},
    )
    assert again.status_code == 409 and again.json["error"] == "already_listed"


def test_the_ledger_in_each_callers_scope(app, shop):
    order = buy(shop, [(shop.orange, 1), (shop.oil, 1)], method=PaymentMethod.BANK_TRANSFER)
    confirm_bank_transfer(
        db.session, shop.operator, order.payments[0].id, "REF-0001", order.total_fen
    )
    xunwu_bureau = f.bureau(region="360734")
    ganzhou_bureau = f.bureau()
    db.session.commit()
    client = app.test_client()

    def entries(user):
        r = client.get("/api/v1/ledger", headers=_token(user))
        assert r.status_code == 200
        return {(e["supplier_id"], e["kind"], e["amount_fen"]) for e in r.json}

    assert entries(shop.operator) == {
        (shop.xunwu.id, "sale", 6980),
        (shop.nankang.id, "sale", 19800),
    }
    assert entries(shop.xunwu_owner) == {(shop.xunwu.id, "sale", 6980)}
    assert entries(xunwu_bureau) == {(shop.xunwu.id, "sale", 6980)}  # 寻乌县 only
    assert len(entries(ganzhou_bureau)) == 2
    assert client.get("/api/v1/ledger", headers=_token(shop.consumer)).status_code == 403
    first = client.get("/api/v1/ledger", headers=_token(shop.operator)).json
    after = client.get(f"/api/v1/ledger?after_id={first[0]['id']}", headers=_token(shop.operator))
    assert [e["id"] for e in after.json] == [first[1]["id"]]
