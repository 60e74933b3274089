"""Every endpoint that takes a record's id refuses another supplier's staff: they can neither
read nor change supplier B's records, whatever the page or API route (no IDOR)."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import sqlalchemy as sa

from catalog.models import ImportJob, ProductImage, SamplingRecord
from suppliers.models import StaffInvitation
from tests import factories
from tests.conftest import login
from yipin import clock
from yipin.accounts.actions import issue_api_token
from yipin.db import db
from yipin.media.models import Image, ImagePurpose

# Pages and API routes that are public on purpose (storefront, traceability, reference data).
PUBLIC = re.compile(
    r"^/(p|c|brands|t|lang|static|media)/|^/api/v1/(regions|trace|categories|brands|grade-standards)"
    r"|^/api/v1/imports/template|^/api/docs|^/supplier/join/"
    r"|^/bureau/static/"  # the bureau pages' scripts and styles (ECharts), public assets
)


def _world_of_b():
    """Supplier B with one of everything that carries an id in a URL."""
    b = factories.SupplierFactory(name="定南县客家油茶专业合作社")
    b_owner = factories.supplier_staff(b, owner=True)
    b_staff = factories.supplier_staff(b)
    product = factories.ProductFactory(supplier=b, name="B 的脐橙")
    variant = factories.VariantFactory(product=product, price_fen=5000)
    batch = factories.BatchFactory(variant=variant)
    cert = factories.CertificationFactory(supplier=b)
    warehouse = factories.WarehouseFactory(supplier_id=b.id)
    factories.StockFactory(warehouse=warehouse, variant=variant)
    image = Image(
        supplier_id=b.id,
        purpose=ImagePurpose.PRODUCT,
        storage_key="zz/zz",
        original_format="JPEG",
        width=10,
        height=10,
        byte_size=1,
        sha256="0" * 64,
        renditions={},
    )
    db.session.add(image)
    db.session.flush()
    db.session.add(ProductImage(product_id=product.id, image_id=image.id))
    job = ImportJob(supplier_id=b.id, filename="b.csv", storage_key="x", created_by_id=b_owner.id)
    invitation = StaffInvitation(
        supplier_id=b.id,
        display_name="新人",
        phone="13700009999",
        digest=hashlib.sha256(b"code").hexdigest(),
        invited_by_id=b_owner.id,
        expires_at=clock.now() + timedelta(days=7),
    )
    db.session.add_all([job, invitation])
    authorisation = factories.authorise(b)
    token, _secret = issue_api_token(db.session, b_owner, "B 的 ERP")
    operator = factories.operator()
    record = SamplingRecord(
        batch_id=batch.id,
        sampled_on=clock.today_local(),
        agency="市场监督管理局",
        result="pass",
        recorded_by_id=operator.id,
    )
    db.session.add(record)
    db.session.flush()
    from tests.orders.world import orders_of

    orders = orders_of(b, variant)  # an order with a parcel of B, its payment, refund, claim …
    from tests.fulfillment.routing_world import parcel_of

    parcel = parcel_of(orders["sub_order_id"], warehouse)  # B's parcel, waybill and flag
    from reports.models import SettlementStatement

    statement = SettlementStatement(
        supplier_id=b.id,
        cycle_start=date(2026, 10, 1),
        cycle_end=date(2026, 10, 31),
        sales_fen=10_000,
        refunds_fen=0,
        commission_fen=500,
        shipping_fen=0,
        net_payable_fen=9_500,
        details=[],
    )
    db.session.add(statement)
    db.session.flush()
    return {
        **orders,
        **parcel,
        "supplier_id": b.id,
        "user_id": b_staff.id,
        "product_id": product.id,
        "variant_id": variant.id,
        "image_id": image.id,
        "batch_id": batch.id,
        "cert_id": cert.id,
        "warehouse_id": warehouse.id,
        "job_id": job.id,
        "invitation_id": invitation.id,
        "authorisation_id": authorisation.id,
        "token_id": token.id,
        "record_id": record.id,
        "entry_id": 1,
        "statement_id": statement.id,  # B's settlement statement
        "year": 2026,
        "version": 1,
        "kind": "pdf",
        "base_id": 1,
    }


def _fingerprint() -> dict[str, object]:
    """Every row of every table, so any change by the requests shows."""
    out: dict[str, object] = {}
    for table in db.metadata.sorted_tables:
        if table.name in ("regions", "alembic_version", "api_tokens"):
            continue
        rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
        out[table.name] = [tuple(r) for r in rows]
    return out


def _routes(app, ids):
    for rule in app.url_map.iter_rules():
        if not rule.arguments or PUBLIC.search(rule.rule) or rule.endpoint == "static":
            continue
        if not set(rule.arguments) <= set(ids):
            raise AssertionError(f"add an id for {rule.rule} ({rule.endpoint}) to this test")
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(ids[name]), url)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, url, rule.endpoint


# 422: an empty body is refused before the record is even looked up (the same answer for ids
# that do not exist), so it reveals nothing; the fingerprint proves nothing changed.
REFUSED = (403, 404, 422)


def test_another_suppliers_staff_cannot_reach_any_record_of_b(app, client, reference):
    ids = _world_of_b()
    a_owner = factories.supplier_staff(owner=True)
    db.session.commit()
    login(client, a_owner)
    before = _fingerprint()
    checked = 0
    for method, url, endpoint in _routes(app, ids):
        response = client.api(method, url, json={}) if method != "GET" else client.get(url)
        assert response.status_code in REFUSED, (method, url, endpoint, response.status_code)
        checked += response.status_code != 422
    assert checked >= 55  # refused because of who asks, not because of the body
    db.session.expire_all()
    assert _fingerprint() == before, "a refused request changed something"


def test_another_suppliers_api_token_cannot_reach_any_record_of_b(app, reference):
    ids = _world_of_b()
    a_owner = factories.supplier_staff(owner=True)
    _token, secret = issue_api_token(db.session, a_owner, "A 的 ERP")
    db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    before = _fingerprint()
    for method, url, endpoint in _routes(app, ids):
        if not url.startswith("/api/"):
            continue
        response = client.open(url, method=method, json={}, headers=headers)
        assert response.status_code in REFUSED, (method, url, endpoint, response.status_code)
    db.session.expire_all()
    assert _fingerprint() == before
