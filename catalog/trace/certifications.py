"""Certifications: 绿色食品 / 有机产品 / 农产品地理标志 / 名特优新 / 食品生产许可证 (SC) —
add, edit, revoke, and the SC licence a supplier enters on its application.

A certificate belongs to a supplier (supplier-wide) or to one of its products. Whether it is
valid is always computed from its dates on the day asked (``Certification.is_valid_on`` and
``state_on``, one Python and one SQL definition), never read from a stored flag, so an expired
certificate stops showing as valid on the day after its ``valid_to`` whether or not any job ran.
Holders are told about expiry by ``catalog.trace.expiry``.

Number formats (../shared/data/standards/README.md) are hints: a number that does not look like
the usual format is saved with a warning. The food production licence is the exception: ``SC`` +
14 digits is required.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import IO, Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.actions.events import PRODUCT_CHANGED, supplier_products_changed
from catalog.models import (
    CERTIFICATION_KIND_LABELS,
    Certification,
    CertificationKind,
    Product,
)
from catalog.trace.errors import (
    CertificationRevoked,
    DuplicateCertification,
    InvalidCertification,
    InvalidLicenceNumber,
)
from catalog.trace.queries import normalise_number
from suppliers.models import Supplier
from yipin import clock, outbox
from yipin.accounts.models import User
from yipin.errors import NotFound
from yipin.i18n import _l
from yipin.media.models import ImagePurpose
from yipin.regions.models import Region

# ----------------------------------------------------------------------------- number formats


@dataclass(frozen=True)
class NumberFormat:
    patterns: tuple[str, ...]
    hint: Any
    strict: bool = False

    def matches(self, number: str) -> bool:
        return any(re.fullmatch(p, number) for p in self.patterns)


NUMBER_FORMATS: dict[CertificationKind, NumberFormat] = {
    CertificationKind.GREEN_FOOD: NumberFormat(
        (r"GF\d{12}", r"LB-[0-9A-Z]{2}-[0-9A-Z]{6,}"),
        _l(
            "GF + 12 digits: the 6-digit county code, a 2-digit year and a 4-digit serial, "
            "e.g. GF360734250012; older numbers look like LB-18-…"
        ),
    ),
    CertificationKind.ORGANIC: NumberFormat(
        (r"\d{17}", r"[0-9A-Z-]*OP-?(\d{2}|\d{4})-?\d{2,}[0-9A-Z-]*"),
        _l(
            "The 17-digit organic code (3-digit certifier, 2-digit year, 12 digits) or a "
            "certificate number containing OP + year + serial, e.g. 127OP2400123"
        ),
    ),
    CertificationKind.GEOGRAPHICAL_INDICATION: NumberFormat(
        (r"AGI\d{5}",), _l("AGI + 5 digits, e.g. AGI01459")
    ),
    CertificationKind.NOTABLE_PRODUCT: NumberFormat(
        (r"CAQS-MTYX-\d{8}",), _l("CAQS-MTYX- + year and serial, e.g. CAQS-MTYX-20200123")
    ),
    CertificationKind.FOOD_PRODUCTION_LICENCE: NumberFormat(
        (r"SC\d{14}",), _l("SC + 14 digits, e.g. SC10636073400012 (required)"), strict=True
    ),
}


def number_hint(kind: CertificationKind | str) -> str:
    return str(NUMBER_FORMATS[CertificationKind(kind)].hint)


@dataclass(frozen=True)
class CertificationWarning:
    """A hint about a saved certificate; the message is rendered in the reader's language."""

    code: str
    field: str
    text: Any  # lazy message
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def message(self) -> str:
        params = dict(self.params)
        return str(self.text) % params if params else str(self.text)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.message}


def number_warnings(
    session: Session, kind: CertificationKind, number: str
) -> list[CertificationWarning]:
    """Hints about a number that does not look like its kind's usual format.

    Raises ``InvalidLicenceNumber`` for a malformed SC licence number (the only strict format).
    """
    fmt = NUMBER_FORMATS[kind]
    if not fmt.matches(number):
        if fmt.strict:
            raise InvalidLicenceNumber(field="number")
        return [
            CertificationWarning(
                "number_format",
                "number",
                _l("The number does not look like the usual format: %(hint)s"),
                (("hint", fmt.hint),),
            )
        ]
    if kind == CertificationKind.GREEN_FOOD and number.startswith("GF"):
        county = number[2:8]
        if session.get(Region, county) is None:
            return [
                CertificationWarning(
                    "number_county",
                    "number",
                    _l("%(code)s is not a known county code; check the number."),
                    (("code", county),),
                )
            ]
    return []


# ----------------------------------------------------------------------------- actions


@dataclass
class CertificationDraft:
    """What a supplier enters for a certificate."""

    kind: CertificationKind
    number: str
    issuer: str
    valid_from: date
    valid_to: date
    scope: str = ""
    product_id: int | None = None


class SavedCertification(NamedTuple):
    certification: Certification
    warnings: list[CertificationWarning]


def _validate(
    session: Session, supplier_id: int, draft: CertificationDraft, exclude_id: int | None
) -> list[CertificationWarning]:
    try:
        draft.kind = CertificationKind(draft.kind)
    except ValueError:
        raise InvalidCertification(_l("Choose the kind of certificate."), field="kind") from None
    draft.number = normalise_number(draft.number)
    draft.issuer = (draft.issuer or "").replace("\x00", "").strip()
    draft.scope = (draft.scope or "").replace("\x00", "").strip()
    if not draft.number or len(draft.number) > 60:
        raise InvalidCertification(
            _l("Enter the certificate number (at most 60 characters)."), field="number"
        )
    if not draft.issuer or len(draft.issuer) > 120:
        raise InvalidCertification(
            _l("Enter the issuing body (at most 120 characters)."), field="issuer"
        )
    if len(draft.scope) > 2000:
        raise InvalidCertification(_l("The scope is at most 2000 characters."), field="scope")
    if draft.valid_from is None:
        raise InvalidCertification(_l("Enter the first day of validity."), field="valid_from")
    if draft.valid_to is None:
        raise InvalidCertification(_l("Enter the last day of validity."), field="valid_to")
    if draft.valid_to < draft.valid_from:
        raise InvalidCertification(
            _l("The end of validity cannot be before its start."), field="valid_to"
        )
    if draft.product_id is not None:
        product = session.get(Product, draft.product_id)
        if product is None or product.supplier_id != supplier_id:
            raise NotFound(field="product_id")
    warnings = number_warnings(session, draft.kind, draft.number)
    clash = sa.select(Certification.id).where(
        Certification.kind == draft.kind, Certification.number == draft.number
    )
    if exclude_id is not None:
        clash = clash.where(Certification.id != exclude_id)
    if session.scalar(clash) is not None:
        raise DuplicateCertification(
            kind=CERTIFICATION_KIND_LABELS[draft.kind], number=draft.number, field="number"
        )
    today = clock.today_local()
    if draft.valid_to < today:
        warnings.append(
            CertificationWarning(
                "already_expired",
                "valid_to",
                _l("This certificate has already expired; it is shown as expired."),
            )
        )
    return warnings


def _attach_image(
    session: Session, actor: User, cert: Certification, image: IO[bytes] | None
) -> None:
    if image is None:
        return
    from yipin.media import images

    stored = images.store_upload(
        session,
        image,
        purpose=ImagePurpose.CERTIFICATE,
        supplier_id=cert.supplier_id,
        uploaded_by_id=actor.id,
    )
    cert.image_id = stored.id


def add_certification(
    session: Session,
    actor: User,
    supplier_id: int,
    draft: CertificationDraft,
    image: IO[bytes] | None = None,
) -> SavedCertification:
    """Register a certificate of ``supplier_id`` (optionally for one of its products)."""
    if session.get(Supplier, supplier_id) is None:
        raise NotFound(field="supplier_id")
    warnings = _validate(session, supplier_id, draft, None)
    cert = Certification(
        supplier_id=supplier_id,
        product_id=draft.product_id,
        kind=draft.kind,
        number=draft.number,
        issuer=draft.issuer,
        scope=draft.scope,
        valid_from=draft.valid_from,
        valid_to=draft.valid_to,
        created_at=clock.now(),
    )
    if draft.valid_to < clock.today_local():
        cert.expiry_notified_at = clock.now()  # entered as expired: nothing to tell
    session.add(cert)
    session.flush()
    _attach_image(session, actor, cert, image)
    certification_changed(session, cert)
    session.flush()
    return SavedCertification(cert, warnings)


def save_food_licence(
    session: Session, actor: User, supplier_id: int, draft: CertificationDraft, image_id: int | None
) -> Certification:
    """The 食品生产许可证 a supplier enters on its application (``suppliers.actions``): registers
    it, or renews the supplier's certificate with this number (new dates, un-revoked). The scan
    (``image_id``) was stored by the caller as a licence image, shown only to staff and
    operators; a new licence needs one (the caller checks, it knows which field to name)."""
    if session.get(Supplier, supplier_id) is None:
        raise NotFound(field="supplier_id")
    draft.kind = CertificationKind.FOOD_PRODUCTION_LICENCE
    cert = session.scalar(
        sa.select(Certification).where(
            Certification.kind == CertificationKind.FOOD_PRODUCTION_LICENCE,
            Certification.number == normalise_number(draft.number),
        )
    )
    if cert is not None and cert.supplier_id != supplier_id:
        raise DuplicateCertification(
            kind=CERTIFICATION_KIND_LABELS[draft.kind], number=cert.number, field="number"
        )
    _validate(session, supplier_id, draft, cert.id if cert is not None else None)
    if cert is None:
        cert = Certification(supplier_id=supplier_id, kind=draft.kind, created_at=clock.now())
        session.add(cert)
    elif (draft.valid_from, draft.valid_to) != (cert.valid_from, cert.valid_to):
        cert.expiry_notified_at = None  # renewed: watched for expiry again
    cert.number = draft.number
    cert.issuer = draft.issuer
    cert.scope = draft.scope
    cert.valid_from = draft.valid_from
    cert.valid_to = draft.valid_to
    cert.revoked_at = None
    if image_id is not None:
        cert.image_id = image_id
    session.flush()
    certification_changed(session, cert)
    return cert


def edit_certification(
    session: Session,
    actor: User,
    certification_id: int,
    draft: CertificationDraft,
    image: IO[bytes] | None = None,
) -> SavedCertification:
    """Change a certificate; new dates (a renewal) put it back under expiry watch."""
    cert = session.get(Certification, certification_id)
    if cert is None:
        raise NotFound()
    if cert.revoked_at is not None:
        raise CertificationRevoked()
    old_product = cert.product_id
    warnings = _validate(session, cert.supplier_id, draft, cert.id)
    if (draft.valid_from, draft.valid_to) != (cert.valid_from, cert.valid_to):
        cert.expiry_notified_at = clock.now() if draft.valid_to < clock.today_local() else None
    cert.kind = draft.kind
    cert.number = draft.number
    cert.issuer = draft.issuer
    cert.scope = draft.scope
    cert.valid_from = draft.valid_from
    cert.valid_to = draft.valid_to
    cert.product_id = draft.product_id
    _attach_image(session, actor, cert, image)
    session.flush()
    certification_changed(session, cert, also_product=old_product)
    return SavedCertification(cert, warnings)


def revoke_certification(session: Session, actor: User, certification_id: int) -> Certification:
    """Withdraw a certificate (withdrawn by its issuer, entered by mistake). Idempotent."""
    cert = session.get(Certification, certification_id)
    if cert is None:
        raise NotFound()
    if cert.revoked_at is None:
        cert.revoked_at = clock.now()
        session.flush()
        certification_changed(session, cert)
    return cert


def certification_changed(
    session: Session, cert: Certification, also_product: int | None = None
) -> None:
    """Certificates show on product pages: re-index what carries this one."""
    if cert.product_id is None and also_product is None:
        supplier_products_changed(session, cert.supplier_id)
        return
    for product_id in sorted({i for i in (cert.product_id, also_product) if i is not None}):
        outbox.emit(session, PRODUCT_CHANGED, {"product_id": product_id}, once_per_transaction=True)
