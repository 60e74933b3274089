"""Certifications: 绿色食品 / 有机产品 / 农产品地理标志 / 名特优新 / 食品生产许可证 (SC).

A certificate belongs to a supplier (supplier-wide) or to one of its products. Whether it is
valid is always computed from its dates on the day asked (``certification_state``), never read
from a stored flag, so an expired certificate stops showing as valid on the day after its
``valid_to`` whether or not any job ran.

Number formats (../shared/data/standards/README.md) are hints: a number that does not look like
the usual format is saved with a warning. The food production licence is the exception: ``SC`` +
14 digits is required.

Holders are told about expiry by ``notify_expired_certifications`` (run daily; outbox topic
``catalog.certifications_expiry``, CLI ``flask catalog certifications-expire``):
- 30 days before ``valid_to`` a warning notification (once per certificate and validity end: the
  notification's link carries both, which is how a second warning is avoided without a column);
- the day after ``valid_to`` an "expired" notification, once: ``expiry_notified_at`` is set.
Changing a certificate's dates clears ``expiry_notified_at`` so a renewed one is watched again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import IO, Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Certification, CertificationKind, Product, ProductStatus
from suppliers.models import Supplier
from yipin import clock, outbox
from yipin.accounts.models import User
from yipin.errors import Conflict, DomainError, NotFound
from yipin.i18n import _l, bilingual
from yipin.media.models import ImagePurpose
from yipin.notifications import notify_supplier
from yipin.regions.models import Region

EXPIRY_WARNING_DAYS = 30
EXPIRY_TOPIC = "catalog.certifications_expiry"  # outbox topic of the daily expiry run
PORTAL_CERTIFICATIONS = "/supplier/trace/certifications"  # where notifications link to
NOTE_EXPIRING = "certification_expiring"
NOTE_EXPIRED = "certification_expired"


class CertificationState(StrEnum):
    VALID = "valid"  # 有效
    EXPIRED = "expired"  # 已过期
    NOT_YET_VALID = "not_yet_valid"  # 未生效
    REVOKED = "revoked"  # 已撤销


KIND_LABELS: dict[CertificationKind, Any] = {
    CertificationKind.GREEN_FOOD: _l("Green Food"),
    CertificationKind.ORGANIC: _l("Organic product"),
    CertificationKind.GEOGRAPHICAL_INDICATION: _l("Agricultural geographical indication"),
    CertificationKind.NOTABLE_PRODUCT: _l("Notable, special, quality and new agricultural product"),
    CertificationKind.FOOD_PRODUCTION_LICENCE: _l("Food production licence (SC)"),
}
STATE_LABELS: dict[CertificationState, Any] = {
    CertificationState.VALID: _l("Valid"),
    CertificationState.EXPIRED: _l("Expired"),
    CertificationState.NOT_YET_VALID: _l("Not yet valid"),
    CertificationState.REVOKED: _l("Revoked"),
}
# CSS badge class of each state (site.css: ok / warn / bad)
STATE_BADGES = {
    CertificationState.VALID: "ok",
    CertificationState.EXPIRED: "expired",
    CertificationState.NOT_YET_VALID: "warn",
    CertificationState.REVOKED: "bad",
}


def kind_label(kind: CertificationKind | str) -> str:
    return str(KIND_LABELS[CertificationKind(kind)])


def state_label(state: CertificationState | str) -> str:
    return str(STATE_LABELS[CertificationState(state)])


def state_badge(state: CertificationState | str) -> str:
    return STATE_BADGES[CertificationState(state)]


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


def normalise_number(number: str) -> str:
    """Upper case, no spaces (people copy numbers with spaces from scans)."""
    return re.sub(r"[\s\x00]+", "", number or "").upper()


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


class InvalidCertification(DomainError):
    code = "invalid_certification"
    message = _l("The certificate details are not valid.")


class InvalidLicenceNumber(InvalidCertification):
    code = "invalid_licence_number"
    message = _l(
        "A food production licence number is SC followed by 14 digits, e.g. SC10636073400012."
    )


class DuplicateCertification(Conflict):
    code = "duplicate_certification"
    message = _l("A %(kind)s certificate with the number %(number)s is already registered.")


class CertificationRevoked(Conflict):
    code = "certification_revoked"
    message = _l("A revoked certificate cannot be changed; add a new one.")


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


# ----------------------------------------------------------------------------- state


def certification_state(cert: Certification, day: date | None = None) -> CertificationState:
    """Valid / expired / not yet valid / revoked on ``day`` (today in China by default)."""
    day = day or clock.today_local()
    if cert.revoked_at is not None:
        return CertificationState.REVOKED
    if day < cert.valid_from:
        return CertificationState.NOT_YET_VALID
    if day > cert.valid_to:
        return CertificationState.EXPIRED
    return CertificationState.VALID


def days_left(cert: Certification, day: date | None = None) -> int:
    """Days until the last valid day (0 on ``valid_to``, negative once expired)."""
    return (cert.valid_to - (day or clock.today_local())).days


def expires_soon(cert: Certification, day: date | None = None) -> bool:
    day = day or clock.today_local()
    return certification_state(cert, day) == CertificationState.VALID and (
        days_left(cert, day) <= EXPIRY_WARNING_DAYS
    )


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
        .where(
            _scope_condition(supplier_id, product_id),
            Certification.revoked_at.is_(None),
            Certification.valid_from <= day,
            Certification.valid_to >= day,
        )
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
        .where(_scope_condition(supplier_id, product_id), Certification.revoked_at.is_(None))
        .order_by(Certification.valid_to.desc(), Certification.id)
    )
    rows = [(c, certification_state(c, day)) for c in session.scalars(stmt)]
    order = {CertificationState.VALID: 0, CertificationState.NOT_YET_VALID: 1}
    rows.sort(key=lambda r: order.get(r[1], 2))
    return rows


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
            kind=KIND_LABELS[draft.kind], number=draft.number, field="number"
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
    _changed(session, cert)
    session.flush()
    return SavedCertification(cert, warnings)


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
    _changed(session, cert, also_product=old_product)
    return SavedCertification(cert, warnings)


def revoke_certification(session: Session, actor: User, certification_id: int) -> Certification:
    """Withdraw a certificate (withdrawn by its issuer, entered by mistake). Idempotent."""
    cert = session.get(Certification, certification_id)
    if cert is None:
        raise NotFound()
    if cert.revoked_at is None:
        cert.revoked_at = clock.now()
        session.flush()
        _changed(session, cert)
    return cert


def _changed(session: Session, cert: Certification, also_product: int | None = None) -> None:
    """Certificates show on product pages: re-index what carries this one."""
    from catalog.actions.products import PRODUCT_CHANGED

    if cert.product_id is not None or also_product is not None:
        ids = {i for i in (cert.product_id, also_product) if i is not None}
    else:
        ids = set(
            session.scalars(
                sa.select(Product.id).where(
                    Product.supplier_id == cert.supplier_id,
                    Product.status == ProductStatus.LISTED,
                )
            )
        )
    for product_id in sorted(ids):
        outbox.emit(session, PRODUCT_CHANGED, {"product_id": product_id}, once_per_transaction=True)


# ----------------------------------------------------------------------------- expiry


@dataclass
class ExpiryReport:
    expired: list[int]  # certificate ids whose holder was told they expired
    expiring: list[int]  # certificate ids whose holder was warned


def _warning_link(cert: Certification) -> str:
    """The warning's link: it names the certificate and its end date (the once-only key)."""
    return f"{PORTAL_CERTIFICATIONS}?cert={cert.id}&expires={cert.valid_to.isoformat()}"


def notify_expired_certifications(session: Session, day: date | None = None) -> ExpiryReport:
    """Tell holders about certificates that expired (once each) or expire within 30 days.

    Idempotent: run it as often as you like; nobody is told twice.
    """
    day = day or clock.today_local()
    report = ExpiryReport(expired=[], expiring=[])

    expired = session.scalars(
        sa.select(Certification)
        .where(
            Certification.revoked_at.is_(None),
            Certification.valid_to < day,
            Certification.expiry_notified_at.is_(None),
        )
        .order_by(Certification.id)
        .with_for_update(skip_locked=True)
    ).all()
    for cert in expired:
        texts = bilingual(
            _l("Certificate expired: %(kind)s %(number)s (valid until %(valid_to)s)"),
            kind=_kind_zh(cert.kind),
            number=cert.number,
            valid_to=cert.valid_to.isoformat(),
        )
        body = bilingual(
            _l(
                "It is no longer shown as valid on your products and traceability pages. "
                "Add the renewed certificate in the supplier portal."
            )
        )
        notify_supplier(
            session,
            cert.supplier_id,
            NOTE_EXPIRED,
            texts["zh_CN"],
            body["zh_CN"],
            link=f"{PORTAL_CERTIFICATIONS}?cert={cert.id}",
        )
        cert.expiry_notified_at = clock.now()
        report.expired.append(cert.id)
        _changed(session, cert)

    soon = session.scalars(
        sa.select(Certification)
        .where(
            Certification.revoked_at.is_(None),
            Certification.valid_to >= day,
            Certification.valid_to <= day + timedelta(days=EXPIRY_WARNING_DAYS),
            Certification.valid_from <= day,
        )
        .order_by(Certification.id)
    ).all()
    if soon:
        from yipin.notifications import Notification

        already = set(
            session.scalars(
                sa.select(Notification.link).where(
                    Notification.kind == NOTE_EXPIRING,
                    Notification.supplier_id.in_({c.supplier_id for c in soon}),
                )
            )
        )
        for cert in soon:
            link = _warning_link(cert)
            if link in already:
                continue
            texts = bilingual(
                _l("Certificate expires on %(valid_to)s: %(kind)s %(number)s"),
                valid_to=cert.valid_to.isoformat(),
                kind=_kind_zh(cert.kind),
                number=cert.number,
            )
            body = bilingual(
                _l("%(days)s days left. Renew it in time so your products keep the badge."),
                days=days_left(cert, day),
            )
            notify_supplier(
                session, cert.supplier_id, NOTE_EXPIRING, texts["zh_CN"], body["zh_CN"], link=link
            )
            report.expiring.append(cert.id)
    session.flush()
    return report


def _kind_zh(kind: CertificationKind) -> str:
    return bilingual(KIND_LABELS[kind])["zh_CN"]
