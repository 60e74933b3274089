"""Production batches (批次) with their 承诺达标合格证, inspections (快检) and traceability.

Rules (农产品质量安全承诺达标合格证管理办法, in force 2026-02-01):
- one 合格证 per production batch, issued when the batch is created, carrying the product name,
  quantity, origin, date issued, committing party and contact;
- records are kept at least 6 months: batches are never deleted, only closed or delisted;
- a batch with a failed inspection cannot go on sale; a failed inspection recorded later, or a
  failed market-supervision sample (``catalog.sampling``), delists it at once.

Each batch has a public code (12 characters of an unambiguous alphabet, unguessable, URL-safe):
the target of the QR code printed on the 合格证 (``/t/<code>``).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from catalog.models import (
    Batch,
    BatchInspection,
    BatchStatus,
    Certification,
    Grade,
    GradeStandard,
    InspectionResult,
    Product,
    RegionalBrand,
    SamplingRecord,
    Variant,
)
from orders import queries as orders_queries
from orders.queries import ReceivedOrder
from suppliers.models import Supplier
from yipin import clock, outbox
from yipin.accounts.models import User
from yipin.errors import Conflict, DomainError, NotFound
from yipin.i18n import _l
from yipin.regions.models import GANZHOU, Region

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed safely
CODE_LENGTH = 12  # 31**12 ≈ 7.9e17 codes: not guessable, not enumerable
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
MAX_QUANTITY = 10_000_000

# What the committing party promises (承诺内容), printed on every 合格证.
STANDARD_COMMITMENTS = [
    "不使用禁用农药兽药、停用兽药和非法添加物",
    "常规农药兽药残留不超标",
    "对承诺的真实性负责",
]


class CommitmentBasis(StrEnum):
    """承诺依据: what the commitment rests on."""

    SELF_TEST = "self_test"  # 自我检测
    ENTRUSTED_TEST = "entrusted_test"  # 委托检测
    INTERNAL_CONTROL = "internal_control"  # 内部质量控制
    SELF_COMMITMENT = "self_commitment"  # 自我承诺


BASIS_TEXT = {  # printed on the certificate (a Chinese legal document)
    CommitmentBasis.SELF_TEST: "自我检测",
    CommitmentBasis.ENTRUSTED_TEST: "委托检测",
    CommitmentBasis.INTERNAL_CONTROL: "内部质量控制",
    CommitmentBasis.SELF_COMMITMENT: "自我承诺",
}
BASIS_LABELS = {
    CommitmentBasis.SELF_TEST: _l("Own test"),
    CommitmentBasis.ENTRUSTED_TEST: _l("Test by an entrusted laboratory"),
    CommitmentBasis.INTERNAL_CONTROL: _l("Internal quality control"),
    CommitmentBasis.SELF_COMMITMENT: _l("Own commitment"),
}
BASIS_PREFIX = "承诺依据："
STATUS_LABELS = {
    BatchStatus.ACTIVE: _l("On sale"),
    BatchStatus.CLOSED: _l("Closed"),
    BatchStatus.DELISTED: _l("Delisted (recalled)"),
}
RESULT_LABELS = {InspectionResult.PASS: _l("Pass"), InspectionResult.FAIL: _l("Fail")}


class BatchAction(StrEnum):
    CLOSE = "close"
    DELIST = "delist"


B = BatchStatus
TRANSITIONS: dict[tuple[BatchStatus, BatchAction], BatchStatus] = {
    (B.ACTIVE, BatchAction.CLOSE): B.CLOSED,
    (B.ACTIVE, BatchAction.DELIST): B.DELISTED,
    (B.CLOSED, BatchAction.DELIST): B.DELISTED,  # a recall reaches sold-out lots too
}


def status_label(status: BatchStatus | str) -> str:
    return str(STATUS_LABELS[BatchStatus(status)])


def result_label(result: InspectionResult | str) -> str:
    return str(RESULT_LABELS[InspectionResult(result)])


class InvalidBatch(DomainError):
    code = "invalid_batch"
    message = _l("The batch details are not valid.")


class FailedInspection(InvalidBatch):
    code = "failed_inspection"
    message = _l(
        "A batch with a failed inspection (%(item)s) cannot go on sale. Re-test the lot or keep "
        "it off the market."
    )


class BatchTransitionNotAllowed(Conflict):
    code = "batch_transition_not_allowed"
    message = _l("This batch cannot be changed so: it is %(state)s.")


REFUSALS = {
    BatchAction.CLOSE: _l("Only a batch on sale can be closed; this one is %(state)s."),
    BatchAction.DELIST: _l("This batch is already delisted."),
}


# ----------------------------------------------------------------------------- drafts


@dataclass
class InspectionDraft:
    """One test of the batch (快检 or a lab report)."""

    item: str
    result: InspectionResult
    inspected_on: date
    method: str = ""
    value: str = ""
    inspector: str = ""


@dataclass
class BatchDraft:
    variant_id: int
    base_name: str
    base_region_code: str
    quantity: int
    harvest_date: date | None = None
    production_date: date | None = None
    inspections: list[InspectionDraft] = field(default_factory=list)
    contact_phone: str | None = None  # default: the supplier's contact phone
    basis: CommitmentBasis = CommitmentBasis.SELF_TEST


# ----------------------------------------------------------------------------- validation


def _clean_inspection(draft: InspectionDraft, index: int | None = None) -> InspectionDraft:
    prefix = f"inspections.{index}." if index is not None else ""
    draft.item = plain(draft.item)
    draft.method = plain(draft.method)
    draft.value = plain(draft.value)
    draft.inspector = plain(draft.inspector)
    if not draft.item or len(draft.item) > 80:
        raise InvalidBatch(
            _l("Name the item tested (at most 80 characters)."), field=f"{prefix}item"
        )
    for name, limit in (("method", 80), ("value", 80), ("inspector", 120)):
        if len(getattr(draft, name)) > limit:
            raise InvalidBatch(
                _l("At most %(limit)s characters.", limit=limit), field=f"{prefix}{name}"
            )
    try:
        draft.result = InspectionResult(draft.result)
    except ValueError:
        raise InvalidBatch(_l("Choose pass or fail."), field=f"{prefix}result") from None
    if draft.inspected_on is None:
        raise InvalidBatch(_l("Enter the date of the test."), field=f"{prefix}inspected_on")
    if draft.inspected_on > clock.today_local():
        raise InvalidBatch(
            _l("The test date cannot be in the future."), field=f"{prefix}inspected_on"
        )
    return draft


def _check_base_region(session: Session, code: str, product: Product) -> Region:
    code = plain(code)
    region = session.get(Region, code) if code and code.isdigit() and len(code) <= 12 else None
    if region is None:
        raise InvalidBatch(_l("Choose where the base lies."), field="base_region_code")
    deep_enough = len(region.code) >= (9 if region.code.startswith(GANZHOU) else 6)
    if not deep_enough:
        raise InvalidBatch(
            _l("Give the base's location down to the township or village."),
            field="base_region_code",
        )
    brand: RegionalBrand | None = product.brand
    if brand is not None and not brand.covers_region(region.code):
        area = session.get(Region, brand.region_code)
        raise InvalidBatch(
            _l("The brand %(brand)s covers only produce from %(region)s."),
            field="base_region_code",
            brand=brand.name,
            region=area.full_name if area else brand.region_code,
        )
    return region


def _check_dates(draft: BatchDraft, product: Product) -> None:
    today = clock.today_local()
    processed = product.category.requires_food_licence
    if processed and draft.production_date is None:
        raise InvalidBatch(_l("Processed food needs its production date."), field="production_date")
    if draft.harvest_date is None and draft.production_date is None:
        raise InvalidBatch(_l("Enter the harvest date."), field="harvest_date")
    for name in ("harvest_date", "production_date"):
        day = getattr(draft, name)
        if day is not None and day > today:
            raise InvalidBatch(_l("This date cannot be in the future."), field=name)
    if (
        draft.harvest_date is not None
        and draft.production_date is not None
        and draft.production_date < draft.harvest_date
    ):
        raise InvalidBatch(
            _l("Production cannot come before the harvest."), field="production_date"
        )


def new_code(session: Session) -> str:
    """A fresh public traceability code."""
    for _ in range(8):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if session.scalar(sa.select(Batch.id).where(Batch.code == code)) is None:
            return code
    raise RuntimeError("could not draw a unique batch code")  # pragma: no cover


def normalise_code(code: str) -> str:
    """Upper case; "" for anything that cannot be a code (codes are letters and digits)."""
    code = (code or "").strip().upper()
    return code if re.fullmatch(r"[0-9A-Z]{1,24}", code) else ""


def plain(text: str | None) -> str:
    """Form and API text as stored: no NUL characters (PostgreSQL refuses them), trimmed."""
    return (text or "").replace("\x00", "").strip()


# ----------------------------------------------------------------------------- actions


def create_batch(session: Session, actor: User, supplier_id: int, draft: BatchDraft) -> Batch:
    """A new batch of a variant of the supplier's own product, and its 承诺达标合格证."""
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound(field="supplier_id")
    variant = session.get(Variant, draft.variant_id) if draft.variant_id else None
    if variant is None or variant.supplier_id != supplier_id:
        raise NotFound(field="variant_id")
    product = variant.product
    draft.base_name = plain(draft.base_name)
    if not draft.base_name or len(draft.base_name) > 120:
        raise InvalidBatch(_l("Name the base or plot (at most 120 characters)."), field="base_name")
    region = _check_base_region(session, draft.base_region_code, product)
    _check_dates(draft, product)
    if draft.quantity is None or not 0 < draft.quantity <= MAX_QUANTITY:
        raise InvalidBatch(
            _l("The quantity is 1 to %(max)s units.", max=MAX_QUANTITY), field="quantity"
        )
    phone = plain(draft.contact_phone or supplier.contact_phone)
    if not PHONE.match(phone):
        raise InvalidBatch(
            _l("Enter a mobile number or a landline with area code."), field="contact_phone"
        )
    try:
        basis = CommitmentBasis(draft.basis)
    except ValueError:
        raise InvalidBatch(_l("Choose what the commitment rests on."), field="basis") from None
    inspections = [_clean_inspection(d, i) for i, d in enumerate(draft.inspections)]
    failed = next((d for d in inspections if d.result == InspectionResult.FAIL), None)
    if failed is not None:
        raise FailedInspection(item=failed.item, field="inspections")

    today = clock.today_local()
    code = new_code(session)
    batch = Batch(
        code=code,
        variant_id=variant.id,
        supplier_id=supplier.id,
        base_name=draft.base_name,
        base_region_code=region.code,
        harvest_date=draft.harvest_date,
        production_date=draft.production_date,
        quantity=draft.quantity,
        status=BatchStatus.ACTIVE,
        certificate_number=f"HG-{today:%Y%m%d}-{code}",
        certificate_issued_on=today,
        committing_party=supplier.name,
        contact_phone=phone,
        commitments=[*STANDARD_COMMITMENTS, BASIS_PREFIX + BASIS_TEXT[basis]],
    )
    session.add(batch)
    session.flush()
    for d in inspections:
        session.add(_inspection_row(batch.id, d))
    session.flush()
    _emit_changed(session, batch)
    return batch


def _inspection_row(batch_id: int, d: InspectionDraft) -> BatchInspection:
    return BatchInspection(
        batch_id=batch_id,
        item=d.item,
        method=d.method,
        result=d.result,
        value=d.value,
        inspected_on=d.inspected_on,
        inspector=d.inspector,
    )


def add_inspection(
    session: Session, actor: User, batch_id: int, draft: InspectionDraft
) -> BatchInspection:
    """Record another test of a batch; a failure takes an active batch off sale at once."""
    batch = _get(session, batch_id)
    row = _inspection_row(batch.id, _clean_inspection(draft))
    session.add(row)
    session.flush()
    if row.result == InspectionResult.FAIL and batch.is_on_sale:
        reason = f"快检不合格：{row.item}" + (f"（{row.value}）" if row.value else "")
        delist_batch(session, actor, batch, reason)
    return row


def close_batch(session: Session, actor: User, batch_id: int) -> Batch:
    """The lot is sold out or finished: it stays on record (≥ 6 months) and traceable."""
    batch = _get(session, batch_id)
    _transition(session, batch, BatchAction.CLOSE)
    batch.status_reason = None
    session.flush()
    _emit_changed(session, batch)
    return batch


def delist_batch(session: Session, actor: User | None, batch: Batch, reason: str) -> Batch:
    """Take a batch off sale at once (recall). Its traceability page shows the recall."""
    _transition(session, batch, BatchAction.DELIST)
    batch.status_reason = reason.strip()
    batch.delisted_at = clock.now()
    session.flush()
    _emit_changed(session, batch)
    return batch


def _transition(session: Session, batch: Batch, action: BatchAction) -> None:
    key = (batch.status, action)
    if key not in TRANSITIONS:
        raise BatchTransitionNotAllowed(REFUSALS[action], state=STATUS_LABELS[batch.status])
    batch.status = TRANSITIONS[key]


def _get(session: Session, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound()
    return batch


def _emit_changed(session: Session, batch: Batch) -> None:
    from catalog.actions.products import PRODUCT_CHANGED

    outbox.emit(
        session,
        PRODUCT_CHANGED,
        {"product_id": batch.variant.product_id},
        once_per_transaction=True,
    )


# ----------------------------------------------------------------------------- queries


def find_by_code(session: Session, code: str) -> Batch | None:
    code = normalise_code(code)
    if not code:
        return None
    return session.scalars(sa.select(Batch).where(Batch.code == code)).one_or_none()


def units_sold(session: Session, batch_id: int) -> int:
    """Units of the batch in sold sub-orders (orders owns the count)."""
    return orders_queries.units_sold_of_batch(session, batch_id)


def orders_with_batch(session: Session, batch_id: int) -> list[ReceivedOrder]:
    """The orders that received the batch, for a recall (orders owns the list)."""
    return orders_queries.orders_with_batch(session, batch_id)


@dataclass(frozen=True)
class CertificateFields:
    """The 承诺达标合格证 of a batch, as printed (the regulation's required fields first)."""

    number: str
    product_name: str
    grade_name: str
    spec: str
    quantity: int
    unit_net_weight_g: int
    origin: str  # full region name down to the village
    base_name: str
    issued_on: date
    committing_party: str
    contact_phone: str
    produced_on: date | None
    produced_is_harvest: bool
    commitments: list[str]
    code: str

    @property
    def total_net_weight_kg(self) -> str:
        kg = self.quantity * self.unit_net_weight_g / 1000
        return f"{kg:,.3f}".rstrip("0").rstrip(".")

    @property
    def quantity_text(self) -> str:
        """数量（重量）, e.g. "500 件（每件 5 kg 75–80 mm，净重合计 2,500 kg）"."""
        return f"{self.quantity} 件（每件 {self.spec}，净重合计 {self.total_net_weight_kg} kg）"

    @property
    def statements(self) -> list[str]:
        return [c for c in self.commitments if not str(c).startswith(BASIS_PREFIX)]

    @property
    def basis(self) -> str:
        for c in self.commitments:
            if str(c).startswith(BASIS_PREFIX):
                return str(c)[len(BASIS_PREFIX) :]
        return ""


def certificate_fields(batch: Batch) -> CertificateFields:
    variant = batch.variant
    product = variant.product
    return CertificateFields(
        number=batch.certificate_number,
        product_name=product.name,
        grade_name=variant.grade.name if variant.grade else "",
        spec=variant.spec,
        quantity=batch.quantity,
        unit_net_weight_g=variant.net_weight_g,
        origin=batch.base_region.full_name,
        base_name=batch.base_name,
        issued_on=batch.certificate_issued_on,
        committing_party=batch.committing_party,
        contact_phone=batch.contact_phone,
        produced_on=batch.produced_on,
        produced_is_harvest=batch.harvest_date is not None,
        commitments=[str(c) for c in (batch.commitments or [])],
        code=batch.code,
    )


@dataclass
class TraceView:
    """Everything the public traceability page shows. No buyer data, by construction."""

    batch: Batch
    variant: Variant
    product: Product
    supplier: Supplier
    supplier_county: Region | None
    origin: Region
    grade: Grade | None
    standard: GradeStandard | None
    brand: RegionalBrand | None  # only while the supplier holds a valid authorisation
    certificate: CertificateFields
    inspections: list[BatchInspection]
    samplings: list[SamplingRecord]
    certifications: list[tuple[Certification, Any]]  # (certificate, CertificationState)
    units_sold: int
    day: date

    @property
    def recalled(self) -> bool:
        return self.batch.status == BatchStatus.DELISTED


def trace_view(session: Session, code: str, day: date | None = None) -> TraceView | None:
    """The public traceability data of the batch with this code, or None."""
    from catalog import certifications, rules

    day = day or clock.today_local()
    code = normalise_code(code)
    if not code:
        return None
    batch = session.scalars(
        sa.select(Batch)
        .where(Batch.code == code)
        .options(selectinload(Batch.inspections), selectinload(Batch.samplings))
    ).one_or_none()
    if batch is None:
        return None
    variant = batch.variant
    product = variant.product
    supplier = product.supplier
    brand = product.brand
    if brand is not None and not rules.has_valid_authorisation(session, supplier.id, brand.id, day):
        brand = None
    grade = variant.grade
    standard = grade.standard if grade is not None else product.grade_standard
    return TraceView(
        batch=batch,
        variant=variant,
        product=product,
        supplier=supplier,
        supplier_county=session.get(Region, supplier.county_code),
        origin=batch.base_region,
        grade=grade,
        standard=standard,
        brand=brand,
        certificate=certificate_fields(batch),
        inspections=list(batch.inspections),
        samplings=list(batch.samplings),
        certifications=certifications.shown_certifications(session, supplier.id, product.id, day),
        units_sold=units_sold(session, batch.id),
        day=day,
    )
