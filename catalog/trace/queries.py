"""Reads of catalog's traceability: a batch by its public code, its 合格证 as printed, the public
trace page's data, the certificates a page shows, and the lists the API and portal page through.

Validity is never computed here: ``Certification.is_valid_on`` / ``state_on`` / ``in_state``
(one Python and one SQL definition, on the model) decide. Units sold and the orders that received
a batch are the orders domain's answers (``orders.queries``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from catalog.models import (
    BASIS_PREFIX,
    Batch,
    BatchInspection,
    BatchStatus,
    Category,
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


# The page is read like the storefront's (``storefront/product_page.py``): light Core statements
# built once per day, into plain slotted dataclasses carrying the attribute names the template
# and ``schemas.public_trace`` read; no ORM graph. Five statements: the batch with its variant,
# grade and standard, product and category, supplier and its county, base region and the brand
# it may show today (``Product.shows_brand_on``); its inspections; its samples; the
# certificates in scope; the units sold.


@dataclass(slots=True, frozen=True)
class TracePlace:
    code: str
    full_name: str


@dataclass(slots=True, frozen=True)
class TraceBatch:
    id: int
    code: str
    status: BatchStatus
    status_reason: str | None
    delisted_at: Any
    quantity: int
    base_name: str
    harvest_date: date | None
    production_date: date | None

    @property
    def is_recalled(self) -> bool:
        return self.status == BatchStatus.DELISTED


@dataclass(slots=True, frozen=True)
class TraceVariant:
    spec: str


@dataclass(slots=True, frozen=True)
class TraceCategory:
    name: str


@dataclass(slots=True, frozen=True)
class TraceProduct:
    id: int
    name: str
    category: TraceCategory


@dataclass(slots=True, frozen=True)
class TraceSupplier:
    id: int
    name: str
    kind: Any
    is_leading_enterprise: bool
    region_code: str

    @property
    def county_code(self) -> str:
        return self.region_code[:6]


@dataclass(slots=True, frozen=True)
class TraceGrade:
    name: str
    criteria: list[Any]


@dataclass(slots=True, frozen=True)
class TraceStandard:
    code: str
    title: str


@dataclass(slots=True, frozen=True)
class TraceBrand:
    name: str


@dataclass(slots=True, frozen=True)
class TraceInspection:
    item: str
    method: str
    result: InspectionResult
    value: str
    inspected_on: date
    inspector: str


@dataclass(slots=True, frozen=True)
class TraceSampling:
    sampled_on: date
    agency: str
    report_number: str
    items: str
    result: InspectionResult


@dataclass(slots=True, frozen=True)
class TraceCertification:
    kind: CertificationKind
    number: str
    issuer: str
    scope: str
    valid_from: date
    valid_to: date
    image_id: int | None


@dataclass
class TraceView:
    """Everything the public traceability page shows. No buyer data, by construction."""

    batch: TraceBatch
    variant: TraceVariant
    product: TraceProduct
    supplier: TraceSupplier
    supplier_county: TracePlace | None
    origin: TracePlace
    grade: TraceGrade | None
    standard: TraceStandard | None
    brand: TraceBrand | None  # only while the supplier holds a valid authorisation
    certificate: CertificateFields
    inspections: list[TraceInspection]
    samplings: list[TraceSampling]
    certifications: list[tuple[TraceCertification, CertificationState]]
    units_sold: int
    day: date

    @property
    def recalled(self) -> bool:
        return self.batch.is_recalled


@functools.lru_cache(maxsize=8)
def _trace_of(day: date) -> sa.Select[Any]:
    """The batch ``:code`` with what its page shows, and the brand its product shows on
    ``day``: one row or none."""
    base = aliased(Region)
    county = aliased(Region)
    return (
        sa.select(
            Batch.id,
            Batch.code,
            Batch.status,
            Batch.status_reason,
            Batch.delisted_at,
            Batch.quantity,
            Batch.base_name,
            Batch.harvest_date,
            Batch.production_date,
            Batch.certificate_number,
            Batch.certificate_issued_on,
            Batch.committing_party,
            Batch.contact_phone,
            Batch.commitments,
            base.code,
            base.full_name,
            Variant.spec,
            Variant.net_weight_g,
            Grade.name,
            Grade.criteria,
            GradeStandard.code,
            GradeStandard.title,
            Product.id,
            Product.name,
            Category.name,
            Supplier.id,
            Supplier.name,
            Supplier.kind,
            Supplier.is_leading_enterprise,
            Supplier.region_code,
            county.code,
            county.full_name,
            RegionalBrand.name,
        )
        .join(base, base.code == Batch.base_region_code)
        .join(Variant, Variant.id == Batch.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .join(Category, Category.id == Product.category_id)
        .join(Supplier, Supplier.id == Product.supplier_id)
        .outerjoin(Grade, Grade.id == Variant.grade_id)
        .outerjoin(
            # a graded variant's standard, else the product's
            GradeStandard,
            GradeStandard.id == sa.func.coalesce(Grade.standard_id, Product.grade_standard_id),
        )
        .outerjoin(county, county.code == sa.func.substr(Supplier.region_code, 1, 6))
        .outerjoin(
            RegionalBrand,
            sa.and_(RegionalBrand.id == Product.brand_id, Product.shows_brand_on(day)),
        )
        .where(Batch.code == sa.bindparam("code"))
    )


@functools.cache
def _inspections_of() -> sa.Select[Any]:
    return (
        sa.select(
            BatchInspection.item,
            BatchInspection.method,
            BatchInspection.result,
            BatchInspection.value,
            BatchInspection.inspected_on,
            BatchInspection.inspector,
        )
        .where(BatchInspection.batch_id == sa.bindparam("batch_id"))
        .order_by(BatchInspection.inspected_on, BatchInspection.id)
    )


@functools.cache
def _samplings_of() -> sa.Select[Any]:
    return (
        sa.select(
            SamplingRecord.sampled_on,
            SamplingRecord.agency,
            SamplingRecord.report_number,
            SamplingRecord.items,
            SamplingRecord.result,
        )
        .where(SamplingRecord.batch_id == sa.bindparam("batch_id"))
        .order_by(SamplingRecord.sampled_on, SamplingRecord.id)
    )


@functools.lru_cache(maxsize=8)
def _shown_certifications_of(day: date) -> sa.Select[Any]:
    """``shown_certifications`` of the supplier ``:supplier_id`` and product ``:product_id``
    as rows, with the state predicates on ``day``."""
    return (
        sa.select(
            Certification.kind,
            Certification.number,
            Certification.issuer,
            Certification.scope,
            Certification.valid_from,
            Certification.valid_to,
            Certification.image_id,
            Certification.is_upcoming_on(day),
            Certification.is_expired_on(day),
        )
        .where(
            Certification.supplier_id == sa.bindparam("supplier_id"),
            sa.or_(
                Certification.product_id.is_(None),
                Certification.product_id == sa.bindparam("product_id"),
            ),
            ~Certification.is_revoked,
        )
        .order_by(Certification.valid_to.desc(), Certification.id)
    )


def trace_view(session: Session, code: str, day: date | None = None) -> TraceView | None:
    """The public traceability data of the batch with this code, or None."""
    day = day or clock.today_local()
    code = normalise_code(code)
    if not code:
        return None
    row = session.execute(_trace_of(day), {"code": code}).one_or_none()
    if row is None:
        return None
    batch = TraceBatch(*row[0:9])
    origin = TracePlace(row[14], row[15])
    product = TraceProduct(row[22], row[23], TraceCategory(row[24]))
    supplier = TraceSupplier(row[25], row[26], row[27], bool(row[28]), row[29])
    grade = TraceGrade(row[18], row[19] or []) if row[18] is not None else None
    commitments = [str(c) for c in (row[13] or [])]
    certificate = CertificateFields(
        number=row[9],
        product_name=product.name,
        grade_name=grade.name if grade else "",
        spec=row[16],
        quantity=batch.quantity,
        unit_net_weight_g=row[17],
        origin=origin.full_name,
        base_name=batch.base_name,
        issued_on=row[10],
        committing_party=row[11],
        contact_phone=row[12],
        produced_on=batch.harvest_date or batch.production_date,
        produced_is_harvest=batch.harvest_date is not None,
        commitments=commitments,
        code=batch.code,
    )
    ids = {"batch_id": batch.id}
    certifications = []
    for *fields, upcoming, expired in session.execute(
        _shown_certifications_of(day), {"supplier_id": supplier.id, "product_id": product.id}
    ):
        state = (  # Certification.state_on, revoked ones left out in SQL
            CertificationState.NOT_YET_VALID
            if upcoming
            else CertificationState.EXPIRED
            if expired
            else CertificationState.VALID
        )
        certifications.append((TraceCertification(*fields), state))
    order = {CertificationState.VALID: 0, CertificationState.NOT_YET_VALID: 1}
    certifications.sort(key=lambda r: order.get(r[1], 2))
    return TraceView(
        batch=batch,
        variant=TraceVariant(row[16]),
        product=product,
        supplier=supplier,
        supplier_county=TracePlace(row[30], row[31]) if row[30] is not None else None,
        origin=origin,
        grade=grade,
        standard=TraceStandard(row[20], row[21]) if row[20] is not None else None,
        brand=TraceBrand(row[32]) if row[32] is not None else None,
        certificate=certificate,
        inspections=[TraceInspection(*r) for r in session.execute(_inspections_of(), ids)],
        samplings=[TraceSampling(*r) for r in session.execute(_samplings_of(), ids)],
        certifications=certifications,
        units_sold=orders_queries.units_sold_of_batch(session, batch.id),
        day=day,
    )
