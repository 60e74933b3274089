"""Reads of catalog's traceability: a batch by its public code, its 合格证 as printed, the public
trace page's data, the certificates a page shows, and the lists the API and portal page through.

Validity is never computed here: ``Certification.is_valid_on`` / ``state_on`` / ``in_state``
(one Python and one SQL definition, on the model) decide. Units sold and the orders that received
a batch are the orders domain's answers (``orders.queries``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from catalog import rules
from catalog.models import (
    BASIS_PREFIX,
    Batch,
    BatchInspection,
    BatchStatus,
    Certification,
    CertificationKind,
    CertificationState,
    Grade,
    GradeStandard,
    InspectionResult,
    Product,
    RegionalBrand,
    SamplingRecord,
    Variant,
)
from orders import queries as orders_queries
from suppliers.models import Supplier
from yipin import clock
from yipin.regions.models import Region

# ----------------------------------------------------------------------------- batches


def normalise_code(code: str) -> str:
    """Upper case; "" for anything that cannot be a code (codes are letters and digits)."""
    code = (code or "").strip().upper()
    return code if re.fullmatch(r"[0-9A-Z]{1,24}", code) else ""


def find_by_code(session: Session, code: str) -> Batch | None:
    code = normalise_code(code)
    if not code:
        return None
    return session.scalars(sa.select(Batch).where(Batch.code == code)).one_or_none()


def batches_stmt(
    *,
    status: BatchStatus | None = None,
    variant_id: int | None = None,
    product_id: int | None = None,
) -> sa.Select[Any]:
    """Batches filtered as asked, newest first (the caller scopes them to the reader)."""
    stmt = sa.select(Batch)
    if status is not None:
        stmt = stmt.where(Batch.status == status)
    if variant_id is not None:
        stmt = stmt.where(Batch.variant_id == variant_id)
    if product_id is not None:
        stmt = stmt.join(Variant, Variant.id == Batch.variant_id).where(
            Variant.product_id == product_id
        )
    return stmt.order_by(Batch.created_at.desc(), Batch.id.desc())


def samples_stmt(
    *, result: InspectionResult | None = None, batch_code: str | None = None
) -> sa.Select[Any]:
    """Market-supervision samples, newest first."""
    stmt = sa.select(SamplingRecord).join(Batch, Batch.id == SamplingRecord.batch_id)
    if result is not None:
        stmt = stmt.where(SamplingRecord.result == result)
    if batch_code:
        stmt = stmt.where(Batch.code == normalise_code(batch_code))
    return stmt.order_by(SamplingRecord.recorded_at.desc(), SamplingRecord.id.desc())


def supplier_variants(session: Session, supplier_id: int) -> list[tuple[Variant, str]]:
    """The supplier's variants with their product's name (for choosing a batch's variant)."""
    rows = session.execute(
        sa.select(Variant, Product.name)
        .join(Product, Product.id == Variant.product_id)
        .where(Variant.supplier_id == supplier_id)
        .order_by(Product.name, Variant.sort_order, Variant.id)
    )
    return [(variant, name) for variant, name in rows]


def supplier_product_names(session: Session, supplier_id: int) -> list[tuple[int, str]]:
    """(id, name) of the supplier's products, by name (for a certificate's scope)."""
    rows = session.execute(
        sa.select(Product.id, Product.name)
        .where(Product.supplier_id == supplier_id)
        .order_by(Product.name)
    )
    return [(product_id, name) for product_id, name in rows]


# ----------------------------------------------------------------------------- the 合格证


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


# ----------------------------------------------------------------------------- certificates


def _scope_condition(supplier_id: int, product_id: int | None) -> Any:
    """Supplier-wide certificates, plus those of ``product_id`` when given."""
    wide = sa.and_(Certification.supplier_id == supplier_id, Certification.product_id.is_(None))
    if product_id is None:
        return wide
    return sa.or_(
        wide,
        sa.and_(Certification.supplier_id == supplier_id, Certification.product_id == product_id),
    )


def valid_certifications(
    session: Session, supplier_id: int, product_id: int | None = None, day: date | None = None
) -> list[Certification]:
    """Certificates valid on ``day``: the supplier's supplier-wide ones and, when a product is
    given, that product's own (never an expired, not-yet-valid or revoked one)."""
    day = day or clock.today_local()
    stmt = (
        sa.select(Certification)
        .where(_scope_condition(supplier_id, product_id), Certification.is_valid_on(day))
        .order_by(Certification.kind, Certification.valid_to.desc(), Certification.id)
    )
    return list(session.scalars(stmt))


def shown_certifications(
    session: Session, supplier_id: int, product_id: int | None = None, day: date | None = None
) -> list[tuple[Certification, CertificationState]]:
    """What a public page lists: every non-revoked certificate in scope with its state on
    ``day``, valid ones first (expired ones are listed as expired, never as valid)."""
    day = day or clock.today_local()
    stmt = (
        sa.select(Certification)
        .where(_scope_condition(supplier_id, product_id), ~Certification.is_revoked)
        .order_by(Certification.valid_to.desc(), Certification.id)
    )
    rows = [(c, c.state_on(day)) for c in session.scalars(stmt)]
    order = {CertificationState.VALID: 0, CertificationState.NOT_YET_VALID: 1}
    rows.sort(key=lambda r: order.get(r[1], 2))
    return rows


def certifications_stmt(
    *, product_id: int | None = None, state: CertificationState | None = None, day: date
) -> sa.Select[Any]:
    """Certificates filtered as asked (``state`` on ``day``), the latest ending first."""
    stmt = sa.select(Certification)
    if product_id is not None:
        stmt = stmt.where(Certification.product_id == product_id)
    if state is not None:
        stmt = stmt.where(Certification.in_state(state, day))
    return stmt.order_by(Certification.valid_to.desc(), Certification.id)


def normalise_number(number: str) -> str:
    """A certificate number as stored: upper case, no spaces (people copy them from scans)."""
    return re.sub(r"[\s\x00]+", "", number or "").upper()


def food_licence_holder(session: Session, number: str) -> int | None:
    """The supplier holding the food production licence with this number, if any."""
    number = normalise_number(number)
    return session.scalar(
        sa.select(Certification.supplier_id).where(
            Certification.kind == CertificationKind.FOOD_PRODUCTION_LICENCE,
            Certification.number == number,
        )
    )


# ----------------------------------------------------------------------------- the trace page


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
    certifications: list[tuple[Certification, CertificationState]]
    units_sold: int
    day: date

    @property
    def recalled(self) -> bool:
        return self.batch.is_recalled


def trace_view(session: Session, code: str, day: date | None = None) -> TraceView | None:
    """The public traceability data of the batch with this code, or None."""
    day = day or clock.today_local()
    code = normalise_code(code)
    if not code:
        return None
    batch = session.scalars(
        sa.select(Batch)
        .where(Batch.code == code)
        .options(
            selectinload(Batch.inspections),
            selectinload(Batch.samplings),
            # one statement for the page's batch, variant, grade and its standard, product
            # (its supplier, brand and origin are joined by the models) and its standard
            joinedload(Batch.variant).joinedload(Variant.grade).joinedload(Grade.standard),
            joinedload(Batch.variant)
            .joinedload(Variant.product)
            .joinedload(Product.grade_standard),
        )
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
        certifications=shown_certifications(session, supplier.id, product.id, day),
        units_sold=orders_queries.units_sold_of_batch(session, batch.id),
        day=day,
    )
