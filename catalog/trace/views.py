"""Public traceability pages: the QR target of each batch (no buyer data).

- ``GET /t/<code>``                 the page (``trace.batch``), mobile-first
- ``GET /t/<code>/certificate.pdf`` the 承诺达标合格证 (``trace.certificate_pdf``)
- ``GET /t/<code>/qr.svg``          a QR code of the page (``trace.qr``)

The template helpers here (``cert_state_badge``, ``cert_number_hint``) are app-wide (the
catalog's ``domain.py`` registers them with its labels), so every page shows certificates and
batches the same way.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Response, render_template, url_for

from catalog.models import CertificationState
from catalog.trace import queries
from catalog.trace.certifications import number_hint
from catalog.trace.errors import UnknownTraceCode
from catalog.trace.pdf import certificate_pdf, qr_matrix
from yipin.db import db
from yipin.pagecache import cached_page

bp = Blueprint("trace", __name__, url_prefix="/t", template_folder="templates")


# The badge (site.css class: ok / warn / bad / expired) of each certificate state.
STATE_BADGES = {
    CertificationState.VALID: "ok",
    CertificationState.EXPIRED: "expired",
    CertificationState.NOT_YET_VALID: "warn",
    CertificationState.REVOKED: "bad",
}


def cert_state_badge(state: CertificationState | str) -> str:
    return STATE_BADGES[CertificationState(state)]


TEMPLATE_GLOBALS = {"cert_state_badge": cert_state_badge, "cert_number_hint": number_hint}


def trace_url(code: str) -> str:
    """The absolute URL the QR codes point to."""
    return url_for("trace.batch", code=code, _external=True)


def certificate_pdf_url(code: str) -> str:
    return url_for("trace.certificate_pdf", code=code, _external=True)


def qr_svg_url(code: str) -> str:
    return url_for("trace.qr", code=code, _external=True)


@bp.get("/<code>")
@cached_page()
def batch(code: str) -> Any:
    """The traceability page of a batch: origin, producer, 合格证, tests, certificates, sales."""
    view = queries.trace_view(db.session, code)
    if view is None:
        raise UnknownTraceCode()
    # a recall must show at once: the page cache and Cache-Control (no-cache) see to it
    return render_template("catalog/trace/batch.html", v=view)


@bp.get("/<code>/certificate.pdf", endpoint="certificate_pdf")
def certificate_pdf_view(code: str) -> Any:
    """The printable 承诺达标合格证 with its QR code."""
    batch = queries.find_by_code(db.session, code)
    if batch is None:
        raise UnknownTraceCode()
    data = certificate_pdf(queries.certificate_fields(batch), trace_url(batch.code))
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="hegezheng-{batch.code}.pdf"'  # ASCII name; the title is Chinese
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/<code>/qr.svg")
def qr(code: str) -> Any:
    """A QR code (SVG) of the traceability page, for sharing and printing."""
    batch = queries.find_by_code(db.session, code)
    if batch is None:
        raise UnknownTraceCode()
    out = io.BytesIO()
    qr_matrix(trace_url(batch.code)).save(
        out, kind="svg", scale=6, border=2, title=f"承诺达标合格证 {batch.code}", xmldecl=False
    )
    response = Response(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
