"""Production batches (批次): create one with its 承诺达标合格证, record tests (快检), close or
delist (recall) it.

Rules (农产品质量安全承诺达标合格证管理办法, in force 2026-02-01):
- one 合格证 per production batch, issued when the batch is created, carrying the product name,
  quantity, origin, date issued, committing party and contact;
- records are kept at least 6 months: batches are never deleted, only closed or delisted;
- a batch with a failed inspection cannot go on sale; a failed inspection recorded later, or a
  failed market-supervision sample (``catalog.trace.sampling``), delists it at once.

Each batch has a public code (12 characters of an unambiguous alphabet, unguessable, URL-safe):
the target of the QR code printed on the 合格证 (``/t/<code>``).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.actions.events import PRODUCT_CHANGED
from catalog.models import (
    BASIS_PREFIX,
    BATCH_STATUS_LABELS,
    COMMITMENT_BASIS_TEXT,
    STANDARD_COMMITMENTS,
    Batch,
    BatchInspection,
    BatchStatus,
    CommitmentBasis,
    InspectionResult,
    Product,
    RegionalBrand,
    Variant,
)
from catalog.trace.errors import BatchTransitionNotAllowed, FailedInspection, InvalidBatch
from suppliers.models import Supplier
from yipin import clock, outbox
from yipin.accounts.models import User
from yipin.config import platform_region
from yipin.errors import NotFound
from yipin.i18n import _l
from yipin.regions.models import Region

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed safely
CODE_LENGTH = 12  # 31**12 ≈ 7.9e17 codes: not guessable, not enumerable
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
MAX_QUANTITY = 10_000_000


class BatchAction(StrEnum):
    CLOSE = "close"
    DELIST = "delist"


TRANSITIONS: dict[tuple[BatchStatus, BatchAction], BatchStatus] = {
    (BatchStatus.ACTIVE, BatchAction.CLOSE): BatchStatus.CLOSED,
    (BatchStatus.ACTIVE, BatchAction.DELIST): BatchStatus.DELISTED,
    (BatchStatus.CLOSED, BatchAction.DELIST): BatchStatus.DELISTED,  # a recall reaches sold-out
}
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
    deep_enough = len(region.code) >= (9 if region.code.startswith(platform_region()) else 6)
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
        commitments=[*STANDARD_COMMITMENTS, BASIS_PREFIX + COMMITMENT_BASIS_TEXT[basis]],
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
    _emit_changed(session, batch)  # the product and trace pages list the tests
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
        raise BatchTransitionNotAllowed(REFUSALS[action], state=BATCH_STATUS_LABELS[batch.status])
    batch.status = TRANSITIONS[key]


def _get(session: Session, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound()
    return batch


def _emit_changed(session: Session, batch: Batch) -> None:
    outbox.emit(
        session,
        PRODUCT_CHANGED,
        {"product_id": batch.variant.product_id},
        once_per_transaction=True,
    )
