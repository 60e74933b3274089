"""Certifications: validity computed from the date, expiry notices told once, number hints."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from catalog.models import Certification, CertificationKind, CertificationState
from catalog.trace import certifications, expiry, queries
from tests import factories
from tests.catalog.test_trace import TODAY, freeze_local, make_batch, trace_world
from yipin import clock
from yipin.db import db
from yipin.notifications import Notification

VALID_TO = date(2026, 12, 31)


@pytest.fixture
def world(app: Any, reference: None) -> SimpleNamespace:
    freeze_local(TODAY)
    return trace_world()


def _notes(supplier_id: int, kind: str) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification).where(
                Notification.supplier_id == supplier_id, Notification.kind == kind
            )
        )
    )


@pytest.mark.both_databases
def test_expired_certificate_is_not_shown_as_valid_on_either_side_of_valid_to(
    client: Any, login_as: Any, world: SimpleNamespace
) -> None:
    cert = factories.CertificationFactory(
        supplier=world.supplier, number="GF360734250012", valid_to=VALID_TO
    )
    batch = make_batch(world)
    db.session.commit()

    # the last valid day, late in the evening in China (a login lasts 14 days: log in then)
    freeze_local(VALID_TO, 23, 30)
    login_as(world.owner)
    assert cert.state_on(VALID_TO) == CertificationState.VALID
    assert queries.valid_certifications(db.session, world.supplier.id) == [cert]
    page = client.get(f"/t/{batch.code}").get_data(as_text=True)
    assert 'data-state="valid"' in page and "已过期" not in page
    api = client.get(f"/api/v1/certifications/{cert.id}").json
    assert api["state"] == "valid"

    # 00:30 next morning in China (still 31 December in UTC): expired
    freeze_local(VALID_TO + timedelta(days=1), 0, 30)
    assert clock.now().date() == VALID_TO  # UTC has not turned yet; China has
    assert cert.state_on(clock.today_local()) == CertificationState.EXPIRED
    assert queries.valid_certifications(db.session, world.supplier.id) == []
    assert queries.valid_certifications(db.session, world.supplier.id, world.product.id) == []
    page = client.get(f"/t/{batch.code}").get_data(as_text=True)
    assert 'data-state="expired"' in page and 'data-state="valid"' not in page
    assert "已过期" in page
    assert client.get(f"/api/v1/certifications/{cert.id}").json["state"] == "expired"
    listed = client.get("/api/v1/certifications?state=valid").json
    assert listed == []
    trace = client.get(f"/api/v1/trace/{batch.code}").json
    assert [c["state"] for c in trace["certifications"]] == ["expired"]
    portal = client.get("/supplier/trace/certifications").get_data(as_text=True)
    assert 'data-state="expired"' in portal


def test_valid_certifications_are_supplier_wide_plus_that_product(
    world: SimpleNamespace,
) -> None:
    other_product = factories.ProductFactory(supplier=world.supplier)
    wide = factories.CertificationFactory(supplier=world.supplier)
    mine = factories.CertificationFactory(
        supplier=world.supplier, product_id=world.product.id, kind=CertificationKind.ORGANIC
    )
    factories.CertificationFactory(supplier=world.supplier, product_id=other_product.id)
    factories.CertificationFactory(supplier=world.supplier, valid_from=date(2027, 1, 1))
    revoked = factories.CertificationFactory(supplier=world.supplier)
    revoked.revoked_at = clock.now()
    factories.CertificationFactory()  # another supplier's
    got = queries.valid_certifications(db.session, world.supplier.id, world.product.id)
    assert {c.id for c in got} == {wide.id, mine.id}
    assert {c.id for c in queries.valid_certifications(db.session, world.supplier.id)} == {wide.id}
    assert revoked.state_on(clock.today_local()) == CertificationState.REVOKED


@pytest.mark.both_databases
def test_holder_is_warned_30_days_ahead_and_told_of_expiry_exactly_once(
    app: Any, world: SimpleNamespace, jobs: Any
) -> None:
    cert = factories.CertificationFactory(
        supplier=world.supplier, number="GF360734250012", valid_to=VALID_TO
    )
    db.session.commit()
    sid = world.supplier.id

    freeze_local(VALID_TO - timedelta(days=31))
    assert expiry.notify_expired_certifications(db.session).expiring == []

    freeze_local(VALID_TO - timedelta(days=30))
    report = expiry.notify_expired_certifications(db.session)
    assert report.expiring == [cert.id] and report.expired == []
    expiry.notify_expired_certifications(db.session)  # again the same day: nothing
    freeze_local(VALID_TO - timedelta(days=5))
    expiry.notify_expired_certifications(db.session)  # later in the window: nothing
    db.session.commit()
    warnings = _notes(sid, expiry.NOTE_EXPIRING)
    assert len(warnings) == 1
    assert "2026-12-31" in warnings[0].title and "GF360734250012" in warnings[0].title

    freeze_local(VALID_TO, 23, 59)
    assert expiry.notify_expired_certifications(db.session).expired == []

    # the day after: through the CLI, then the outbox topic, then the CLI again
    freeze_local(VALID_TO + timedelta(days=1), 8)
    result = app.test_cli_runner().invoke(args=["catalog", "certifications-expire"])
    assert result.exit_code == 0, result.output
    assert "1 expired" in result.output
    runner = app.test_cli_runner()
    assert runner.invoke(args=["catalog", "certifications-expire", "--enqueue"]).exit_code == 0
    jobs.run()
    assert "0 expired" in runner.invoke(args=["catalog", "certifications-expire"]).output
    freeze_local(VALID_TO + timedelta(days=40))
    expiry.notify_expired_certifications(db.session)
    db.session.commit()

    expired = _notes(sid, expiry.NOTE_EXPIRED)
    assert len(expired) == 1
    assert "证书已过期" in expired[0].title and "GF360734250012" in expired[0].title
    assert len(_notes(sid, expiry.NOTE_EXPIRING)) == 1
    db.session.refresh(cert)
    assert cert.expiry_notified_at is not None


def test_renewed_certificate_is_watched_again(world: SimpleNamespace) -> None:
    cert = factories.CertificationFactory(supplier=world.supplier, valid_to=VALID_TO)
    freeze_local(VALID_TO + timedelta(days=2))
    expiry.notify_expired_certifications(db.session)
    assert cert.expiry_notified_at is not None
    draft = certifications.CertificationDraft(
        kind=cert.kind,
        number=cert.number,
        issuer=cert.issuer,
        scope=cert.scope,
        valid_from=date(2027, 1, 1),
        valid_to=date(2029, 12, 31),
    )
    certifications.edit_certification(db.session, world.owner, cert.id, draft)
    assert cert.expiry_notified_at is None
    assert cert.state_on(clock.today_local()) == CertificationState.VALID
    freeze_local(date(2029, 12, 30))
    assert expiry.notify_expired_certifications(db.session).expiring == [cert.id]


def test_revoked_and_certificates_entered_expired_are_not_announced(
    world: SimpleNamespace,
) -> None:
    saved = certifications.add_certification(
        db.session,
        world.owner,
        world.supplier.id,
        certifications.CertificationDraft(
            kind=CertificationKind.GEOGRAPHICAL_INDICATION,
            number="AGI01459",
            issuer="农业农村部",
            valid_from=date(2020, 1, 1),
            valid_to=date(2025, 12, 31),
        ),
    )
    assert [w.code for w in saved.warnings] == ["already_expired"]
    revoked = factories.CertificationFactory(supplier=world.supplier, valid_to=TODAY)
    certifications.revoke_certification(db.session, world.owner, revoked.id)
    freeze_local(TODAY + timedelta(days=3))
    report = expiry.notify_expired_certifications(db.session)
    assert report.expired == [] and report.expiring == []


@pytest.mark.parametrize(
    ("kind", "number", "warning"),
    [
        ("green_food", "GF360734250012", None),
        ("green_food", "LB-18-0712345678A", None),
        ("green_food", "GF999999250012", "number_county"),
        ("green_food", "绿字 2024 第 12 号", "number_format"),
        ("organic", "12724OP12345678901", None),
        ("organic", "127OP2400123", None),
        ("organic", "ORG-2024-1", "number_format"),
        ("geographical_indication", "agi01459", None),
        ("geographical_indication", "AGI1459", "number_format"),
        ("notable_product", "CAQS-MTYX-20200123", None),
        ("notable_product", "MTYX2020", "number_format"),
        ("food_production_licence", "SC10636073400012", None),
    ],
)
def test_number_formats_are_hints_not_refusals(
    client: Any, login_as: Any, world: SimpleNamespace, kind: str, number: str, warning: Any
) -> None:
    db.session.commit()
    login_as(world.owner)
    response = client.api(
        "POST",
        "/api/v1/certifications",
        json={
            "kind": kind,
            "number": number,
            "issuer": "中国绿色食品发展中心",
            "valid_from": "2025-01-01",
            "valid_to": "2028-12-31",
        },
    )
    assert response.status_code == 201, response.json
    assert [w["code"] for w in response.json["warnings"]] == ([warning] if warning else [])
    assert response.json["state"] == "valid"
    if warning:
        assert response.json["warnings"][0]["message"]


@pytest.mark.parametrize("number", ["SC1063607340001", "SC106360734000123", "JY10636073400012"])
def test_food_production_licence_number_is_strict(
    client: Any, login_as: Any, world: SimpleNamespace, number: str
) -> None:
    db.session.commit()
    login_as(world.owner)
    response = client.api(
        "POST",
        "/api/v1/certifications",
        json={
            "kind": "food_production_licence",
            "number": number,
            "issuer": "赣州市市场监督管理局",
            "valid_from": "2025-01-01",
            "valid_to": "2030-12-31",
        },
    )
    assert response.status_code == 422
    assert response.json["error"] == "invalid_licence_number"
    assert "SC" in response.json["errors"]["number"][0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certification)) == 0


def test_portal_add_edit_revoke_with_hints(
    client: Any, login_as: Any, world: SimpleNamespace
) -> None:
    db.session.commit()
    login_as(world.owner)
    form = client.get("/supplier/trace/certifications/new").get_data(as_text=True)
    assert "GF 加 12 位数字" in form and "AGI01459" in form and "CAQS-MTYX" in form

    response = client.submit(
        "/supplier/trace/certifications/new",
        {
            "kind": "green_food",
            "number": "gf 3607 3425 0099",
            "issuer": "中国绿色食品发展中心",
            "valid_from": "2025-03-01",
            "valid_to": "2028-02-28",
            "product_id": str(world.product.id),
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "证书已添加" in html and "GF360734250099" in html and "有效" in html
    cert = db.session.scalars(sa.select(Certification)).one()
    assert cert.number == "GF360734250099" and cert.product_id == world.product.id

    hinted = client.submit(
        f"/supplier/trace/certifications/{cert.id}/edit",
        {
            "kind": "green_food",
            "number": "XYZ-1",
            "issuer": "中国绿色食品发展中心",
            "valid_from": "2025-03-01",
            "valid_to": "2028-02-28",
            "product_id": "0",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已保存，但请核对" in hinted and "编号与常见格式不符" in hinted

    bad = client.submit(
        "/supplier/trace/certifications/new",
        {
            "kind": "food_production_licence",
            "number": "SC123",
            "issuer": "赣州市市场监督管理局",
            "valid_from": "2025-03-01",
            "valid_to": "2028-02-28",
            "product_id": "0",
        },
    )
    assert bad.status_code == 422
    assert "食品生产许可证编号为 SC 加 14 位数字" in bad.get_data(as_text=True)

    revoked = client.submit(
        f"/supplier/trace/certifications/{cert.id}/revoke", follow_redirects=True
    ).get_data(as_text=True)
    assert 'data-state="revoked"' in revoked and "已撤销" in revoked
    db.session.refresh(cert)
    assert queries.valid_certifications(db.session, world.supplier.id, cert.product_id) == []


def test_other_suppliers_consumers_and_bureau_are_refused(
    app: Any, client: Any, login_as: Any, world: SimpleNamespace
) -> None:
    cert = factories.CertificationFactory(supplier=world.supplier)
    intruder = factories.supplier_staff(owner=True)
    buyer = factories.consumer()
    bureau = factories.bureau()
    db.session.commit()
    patch = {"issuer": "伪造"}

    login_as(intruder)
    assert client.get(f"/api/v1/certifications/{cert.id}").status_code == 404
    assert client.api("PATCH", f"/api/v1/certifications/{cert.id}", json=patch).status_code == 404
    assert client.api("POST", f"/api/v1/certifications/{cert.id}/revoke").status_code == 404
    assert client.get(f"/supplier/trace/certifications/{cert.id}/edit").status_code == 404
    assert client.submit(f"/supplier/trace/certifications/{cert.id}/revoke").status_code == 404
    assert client.get("/api/v1/certifications").json == []
    assert cert.number not in client.get("/supplier/trace/certifications").get_data(as_text=True)
    client.post("/logout", headers={"X-CSRFToken": client.csrf_token()})

    login_as(buyer)
    assert client.get("/api/v1/certifications").status_code == 403
    assert client.get("/supplier/trace/certifications").status_code == 403
    assert client.api("POST", f"/api/v1/certifications/{cert.id}/revoke").status_code == 403
    client.post("/logout", headers={"X-CSRFToken": client.csrf_token()})

    login_as(bureau)
    assert client.get(f"/api/v1/certifications/{cert.id}").status_code == 200  # may read
    assert client.api("PATCH", f"/api/v1/certifications/{cert.id}", json=patch).status_code == 403
    assert client.api("POST", f"/api/v1/certifications/{cert.id}/revoke").status_code == 403
    db.session.refresh(cert)
    assert cert.issuer != "伪造" and cert.revoked_at is None


def test_patch_renews_and_returns_warnings(
    client: Any, login_as: Any, world: SimpleNamespace
) -> None:
    cert = factories.CertificationFactory(supplier=world.supplier, valid_to=VALID_TO)
    db.session.commit()
    login_as(world.owner)
    response = client.api(
        "PATCH",
        f"/api/v1/certifications/{cert.id}",
        json={"valid_to": "2029-12-31", "number": "LB-99"},
    )
    assert response.status_code == 200, response.json
    assert response.json["valid_to"] == "2029-12-31"
    assert response.json["warnings"][0]["code"] == "number_format"
    bad = client.api("PATCH", f"/api/v1/certifications/{cert.id}", json={"valid_to": "2020-01-01"})
    assert bad.status_code == 422 and "valid_to" in bad.json["errors"]


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 40), (200, 230, 200)).save(out, "PNG")
    return out.getvalue()


def test_scan_of_the_certificate_is_stored_and_shown(
    client: Any, login_as: Any, world: SimpleNamespace
) -> None:
    import io

    batch = make_batch(world)
    db.session.commit()
    login_as(world.owner)
    response = client.submit(
        "/supplier/trace/certifications/new",
        {
            "kind": "organic",
            "number": "127OP2400123",
            "issuer": "中绿华夏有机产品认证中心",
            "valid_from": "2025-01-01",
            "valid_to": "2027-12-31",
            "product_id": "0",
            "image": (io.BytesIO(_png()), "scan.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    cert = db.session.scalars(sa.select(Certification)).one()
    assert cert.image_id is not None
    page = client.get(f"/t/{batch.code}").get_data(as_text=True)
    assert f"/media/images/{cert.image_id}/large" in page
    assert client.get(f"/media/images/{cert.image_id}/large").status_code == 200

    # through the API, a non-image is refused and changes nothing
    bad = client.put(
        f"/api/v1/certifications/{cert.id}/image",
        data={"image": (io.BytesIO(b"GIF89a not really"), "scan.png")},
        content_type="multipart/form-data",
        headers={"X-CSRFToken": client.csrf_token()},
    )
    assert bad.status_code == 422 and bad.json["error"] == "invalid_image"
    db.session.refresh(cert)
    first_image = cert.image_id
    good = client.put(
        f"/api/v1/certifications/{cert.id}/image",
        data={"image": (io.BytesIO(_png()), "scan2.png")},
        content_type="multipart/form-data",
        headers={"X-CSRFToken": client.csrf_token()},
    )
    assert good.status_code == 200 and good.json["image_url"]
    db.session.refresh(cert)
    assert cert.image_id != first_image


def test_the_food_licence_of_an_application_is_registered_and_renewed_by_the_catalog(
    world: SimpleNamespace,
) -> None:
    """Suppliers hand the SC licence to catalog's action: one certificate per number, renewed in
    place (new dates, un-revoked, watched for expiry again), the listed products re-indexed."""
    from yipin.outbox.models import OutboxEntry

    def draft(valid_to: date) -> certifications.CertificationDraft:
        return certifications.CertificationDraft(
            kind=CertificationKind.FOOD_PRODUCTION_LICENCE,
            number="sc 1033607340 0012",
            issuer="寻乌县市场监督管理局",
            valid_from=date(2024, 3, 1),
            valid_to=valid_to,
            scope="茶叶",
        )

    sid = world.supplier.id
    cert = certifications.save_food_licence(
        db.session, world.owner, sid, draft(date(2026, 12, 1)), None
    )
    assert cert.number == "SC10336073400012" and cert.state_on(TODAY) == CertificationState.VALID
    assert queries.food_licence_holder(db.session, "SC10336073400012") == sid
    cert.revoked_at, cert.expiry_notified_at = clock.now(), clock.now()
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.max(OutboxEntry.id))) or 0
    renewed = certifications.save_food_licence(
        db.session, world.owner, sid, draft(date(2029, 2, 28)), None
    )
    assert renewed.id == cert.id and renewed.revoked_at is None
    assert renewed.expiry_notified_at is None and renewed.valid_to == date(2029, 2, 28)
    emitted = db.session.scalars(sa.select(OutboxEntry.payload).where(OutboxEntry.id > before))
    assert emitted.all() == [{"product_id": world.product.id}]
    other = factories.SupplierFactory()
    with pytest.raises(certifications.DuplicateCertification):
        certifications.save_food_licence(db.session, world.owner, other.id, draft(VALID_TO), None)
