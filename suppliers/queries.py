"""Reads of the suppliers domain, with the eager loading each page needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from catalog.models import EXPIRY_WARNING_DAYS, Batch, Certification, Product, RegionalBrand
from suppliers import uscc
from suppliers.models import (
    AuthorisationState,
    BrandAuthorisation,
    StaffInvitation,
    Supplier,
    SupplierKind,
    SupplierStatus,
    SupplierStatusChange,
)
from yipin import clock
from yipin.accounts.models import SupplierRole, User
from yipin.notifications import Notification
from yipin.pagination import Page, paginate

# ----------------------------------------------------------------------------- suppliers


@dataclass
class QueueFilter:
    status: SupplierStatus | None = None
    county: str | None = None
    kind: SupplierKind | None = None
    q: str = ""


def filtered(stmt: Any, flt: QueueFilter) -> Any:
    if flt.status:
        stmt = stmt.where(Supplier.status == flt.status)
    if flt.county:
        stmt = stmt.where(Supplier.region_code.startswith(flt.county, autoescape=True))
    if flt.kind:
        stmt = stmt.where(Supplier.kind == flt.kind)
    text = (flt.q or "").strip()
    if text:
        code = uscc.normalise(text)
        stmt = stmt.where(
            sa.or_(
                Supplier.name.contains(text, autoescape=True),
                Supplier.uscc.startswith(code, autoescape=True),
            )
        )
    return stmt


def queue_order(stmt: Any) -> Any:
    """Pending first (oldest application first), then the most recently changed."""
    pending = Supplier.status == SupplierStatus.PENDING
    return stmt.order_by(
        sa.case((pending, 0), else_=1),
        sa.case((pending, Supplier.created_at), else_=None).asc(),
        Supplier.updated_at.desc(),
        Supplier.id.desc(),
    )


def verification_queue(
    session: Session, flt: QueueFilter, page: int = 1, per_page: int = 20
) -> Page[Supplier]:
    stmt = queue_order(filtered(sa.select(Supplier), flt))
    return paginate(session, stmt, page, per_page)


def status_counts(session: Session) -> dict[str, int]:
    rows = session.execute(sa.select(Supplier.status, sa.func.count()).group_by(Supplier.status))
    counts = {str(s): 0 for s in SupplierStatus}
    counts.update({str(status): n for status, n in rows})
    return counts


def supplier_detail(session: Session, supplier_id: int) -> Supplier | None:
    """A supplier with everything the operator's detail page shows."""
    return session.scalar(
        sa.select(Supplier)
        .where(Supplier.id == supplier_id)
        .options(
            selectinload(Supplier.main_categories),
            joinedload(Supplier.licence_image),
            selectinload(Supplier.staff),
            selectinload(Supplier.status_changes).joinedload(SupplierStatusChange.actor),
            selectinload(Supplier.authorisations),
        )
    )


def certifications_of(session: Session, supplier_id: int) -> list[Certification]:
    return list(
        session.scalars(
            sa.select(Certification)
            .where(Certification.supplier_id == supplier_id)
            .options(joinedload(Certification.image))
            .order_by(Certification.valid_to.desc())
        ).unique()
    )


def history(session: Session, supplier_id: int) -> list[SupplierStatusChange]:
    return list(
        session.scalars(
            sa.select(SupplierStatusChange)
            .where(SupplierStatusChange.supplier_id == supplier_id)
            .options(joinedload(SupplierStatusChange.actor))
            .order_by(SupplierStatusChange.at, SupplierStatusChange.id)
        )
    )


# ----------------------------------------------------------------------------- staff


def staff_of(session: Session, supplier_id: int) -> list[User]:
    """Owner first, then active staff, then inactive, each by name."""
    return list(
        session.scalars(
            sa.select(User)
            .where(User.supplier_id == supplier_id)
            .order_by(
                sa.case((User.supplier_role == SupplierRole.OWNER, 0), else_=1),
                User.is_active.desc(),
                User.display_name,
                User.id,
            )
        ).unique()
    )


def invitations_of(session: Session, supplier_id: int, limit: int = 50) -> list[StaffInvitation]:
    return list(
        session.scalars(
            sa.select(StaffInvitation)
            .where(StaffInvitation.supplier_id == supplier_id)
            .order_by(StaffInvitation.created_at.desc(), StaffInvitation.id.desc())
            .limit(limit)
        )
    )


def invitation_state(invitation: StaffInvitation, now: Any = None) -> str:
    """open / accepted / revoked / expired."""
    now = now or clock.now()
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if now >= invitation.expires_at:
        return "expired"
    return "open"


# ----------------------------------------------------------------------------- brands


def authorisation_state(auth: BrandAuthorisation, day: date | None = None) -> AuthorisationState:
    """valid / upcoming / expired / revoked on ``day`` (today in China by default)."""
    return auth.state_on(day or clock.today_local())


@dataclass
class AuthorisationFilter:
    supplier_id: int | None = None
    brand_id: int | None = None
    state: str | None = None  # valid / upcoming / expired / revoked
    q: str = ""


def authorisations_stmt(flt: AuthorisationFilter, day: date | None = None) -> Any:
    day = day or clock.today_local()
    stmt = sa.select(BrandAuthorisation).options(joinedload(BrandAuthorisation.supplier))
    if flt.supplier_id:
        stmt = stmt.where(BrandAuthorisation.supplier_id == flt.supplier_id)
    if flt.brand_id:
        stmt = stmt.where(BrandAuthorisation.brand_id == flt.brand_id)
    if flt.state in set(AuthorisationState):
        stmt = stmt.where(BrandAuthorisation.in_state(AuthorisationState(flt.state), day))
    if flt.q.strip():
        names = sa.select(Supplier.id).where(Supplier.name.contains(flt.q.strip(), autoescape=True))
        stmt = stmt.where(BrandAuthorisation.supplier_id.in_(names))
    return stmt.order_by(BrandAuthorisation.created_at.desc(), BrandAuthorisation.id.desc())


def authorisations_of(session: Session, supplier_id: int) -> list[BrandAuthorisation]:
    return list(
        session.scalars(
            sa.select(BrandAuthorisation)
            .where(BrandAuthorisation.supplier_id == supplier_id)
            .order_by(BrandAuthorisation.valid_from.desc(), BrandAuthorisation.id.desc())
        ).unique()
    )


def brands(session: Session) -> list[RegionalBrand]:
    return list(
        session.scalars(
            sa.select(RegionalBrand)
            .where(RegionalBrand.is_active.is_(True))
            .order_by(RegionalBrand.sort_order, RegionalBrand.id)
        )
    )


# ----------------------------------------------------------------------------- portal home


@dataclass
class PortalOverview:
    products: dict[str, int] = field(default_factory=dict)  # by status
    active_batches: int = 0
    certificates_expiring: int = 0  # valid, ending within EXPIRY_WARNING_DAYS
    certificates_expired: int = 0
    notifications: list[Notification] = field(default_factory=list)  # unread, newest first
    unread: int = 0


def portal_overview(session: Session, supplier_id: int, limit: int = 10) -> PortalOverview:
    """The portal home's counts in four queries."""
    today = clock.today_local()
    out = PortalOverview()
    out.products = {
        str(status): n
        for status, n in session.execute(
            sa.select(Product.status, sa.func.count())
            .where(Product.supplier_id == supplier_id)
            .group_by(Product.status)
        )
    }
    out.active_batches = (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Batch)
            .where(Batch.supplier_id == supplier_id, Batch.is_on_sale)
        )
        or 0
    )
    expiring, expired = session.execute(
        sa.select(
            sa.func.count().filter(Certification.expires_within(today, EXPIRY_WARNING_DAYS)),
            sa.func.count().filter(Certification.is_expired_on(today)),
        ).where(Certification.supplier_id == supplier_id)
    ).one()
    out.certificates_expiring, out.certificates_expired = expiring or 0, expired or 0
    unread = list(
        session.execute(
            sa.select(Notification, sa.func.count().over())
            .where(Notification.supplier_id == supplier_id, Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )
    out.notifications = [row[0] for row in unread]
    out.unread = unread[0][1] if unread else 0
    return out
