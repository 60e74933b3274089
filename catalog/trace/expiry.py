"""Holders are told about their certificates' expiry (``notify_expired_certifications``, run
daily: outbox topic ``catalog.certifications_expiry``, CLI ``flask catalog certifications-expire``):

- ``EXPIRY_WARNING_DAYS`` (30) before ``valid_to`` a warning notification, once per certificate
  and validity end (the notification's link carries both, which is how a second warning is
  avoided without a column);
- the day after ``valid_to`` an "expired" notification, once: ``expiry_notified_at`` is set.

Changing a certificate's dates clears ``expiry_notified_at`` so a renewed one is watched again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import (
    CERTIFICATION_KIND_LABELS,
    EXPIRY_WARNING_DAYS,
    Certification,
    CertificationKind,
)
from catalog.trace.certifications import certification_changed
from yipin import clock
from yipin.i18n import _l, bilingual
from yipin.notifications import Notification, notify_supplier

EXPIRY_TOPIC = "catalog.certifications_expiry"  # outbox topic of the daily expiry run
PORTAL_CERTIFICATIONS = "/supplier/trace/certifications"  # where notifications link to
NOTE_EXPIRING = "certification_expiring"
NOTE_EXPIRED = "certification_expired"


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
        .where(Certification.is_expired_on(day), Certification.expiry_notified_at.is_(None))
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
        certification_changed(session, cert)

    soon = session.scalars(
        sa.select(Certification)
        .where(Certification.expires_within(day, EXPIRY_WARNING_DAYS))
        .order_by(Certification.id)
    ).all()
    if soon:
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
                days=cert.days_left(day),
            )
            notify_supplier(
                session, cert.supplier_id, NOTE_EXPIRING, texts["zh_CN"], body["zh_CN"], link=link
            )
            report.expiring.append(cert.id)
    session.flush()
    return report


def _kind_zh(kind: CertificationKind) -> str:
    return bilingual(CERTIFICATION_KIND_LABELS[kind])["zh_CN"]
