"""Brand authorisations (品牌授权): operators grant and revoke."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import (
    RegionalBrand,
)
from suppliers.actions.application import (
    PORTAL_AUTHORISATIONS,
)
from suppliers.errors import (
    AuthorisationAlreadyRevoked,
    AuthorisationOverlaps,
    InvalidPeriod,
    ReasonRequired,
)
from suppliers.models import (
    BrandAuthorisation,
    Supplier,
)
from yipin import clock, freshness
from yipin.accounts.models import User
from yipin.errors import Forbidden, NotFound
from yipin.i18n import _l, bilingual
from yipin.notifications import notify_supplier


def grant_authorisation(
    session: Session,
    actor: User,
    *,
    supplier_id: int,
    brand_id: int,
    valid_from: date,
    valid_to: date,
    certificate_number: str | None = None,
) -> BrandAuthorisation:
    """An operator authorises a supplier to use a regional public brand for a period."""
    if not actor.is_operator:
        raise Forbidden()
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound(field="supplier_id")
    brand = session.get(RegionalBrand, brand_id)
    if brand is None or not brand.is_active:
        raise NotFound(field="brand_id")
    if valid_from is None or valid_to is None or valid_to < valid_from:
        raise InvalidPeriod(field="valid_to")
    clash = session.scalar(
        sa.select(BrandAuthorisation).where(
            BrandAuthorisation.supplier_id == supplier_id,
            BrandAuthorisation.brand_id == brand_id,
            BrandAuthorisation.revoked_at.is_(None),
            BrandAuthorisation.valid_from <= valid_to,
            BrandAuthorisation.valid_to >= valid_from,
        )
    )
    if clash is not None:
        raise AuthorisationOverlaps(
            brand=brand.name,
            start=clash.valid_from.isoformat(),
            end=clash.valid_to.isoformat(),
            field="valid_from",
        )
    auth = BrandAuthorisation(
        supplier_id=supplier_id,
        brand_id=brand_id,
        valid_from=valid_from,
        valid_to=valid_to,
        certificate_number=(certificate_number or "").strip()[:60] or None,
        created_by_id=actor.id,
        created_at=clock.now(),
    )
    session.add(auth)
    session.flush()
    freshness.changed(session)  # the brand's badge and page follow at the commit
    notify_supplier(
        session,
        supplier_id,
        kind="brand.authorised",
        title=bilingual(
            _l("Authorised to use the brand %(brand)s from %(start)s to %(end)s"),
            brand=brand.name,
            start=valid_from.isoformat(),
            end=valid_to.isoformat(),
        )["zh_CN"],
        link=PORTAL_AUTHORISATIONS,
    )
    return auth


def revoke_authorisation(
    session: Session, actor: User, authorisation_id: int, reason: str
) -> BrandAuthorisation:
    """An operator revokes an authorisation (with a reason the supplier sees)."""
    if not actor.is_operator:
        raise Forbidden()
    auth = session.get(BrandAuthorisation, authorisation_id)
    if auth is None:
        raise NotFound()
    if auth.revoked_at is not None:
        raise AuthorisationAlreadyRevoked()
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(field="reason")
    auth.revoked_at = clock.now()
    auth.revoke_reason = reason
    session.flush()
    freshness.changed(session)
    notify_supplier(
        session,
        auth.supplier_id,
        kind="brand.revoked",
        title=bilingual(
            _l("Your authorisation for the brand %(brand)s was revoked"), brand=auth.brand.name
        )["zh_CN"],
        body=reason,
        link=PORTAL_AUTHORISATIONS,
    )
    return auth
