"""Public traceability pages: the QR target of each batch (no buyer data).

- ``GET /t/<code>``                 the page (``trace.batch``), mobile-first
- ``GET /t/<code>/certificate.pdf`` the 承诺达标合格证 (``trace.certificate_pdf``)
- ``GET /t/<code>/qr.svg``          a QR code of the page (``trace.qr``)

The template helpers registered here (``cert_kind_label``, ``cert_state``, ``cert_state_label``,
``cert_state_badge``, ``batch_status_label``, ``inspection_result_label``) are app-wide, so the
storefront's product page can show certificates and batches the same way.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Response, render_template, url_for
from flask.blueprints import BlueprintSetupState

from catalog import batches, certifications
from catalog.pdf import certificate_pdf, qr_matrix
from yipin.db import db
from yipin.errors import NotFound
from yipin.i18n import _l

bp = Blueprint("trace", __name__, url_prefix="/t", template_folder="templates")


class UnknownTraceCode(NotFound):
    code = "unknown_trace_code"
    message = _l(
        "No batch has this traceability code. Check the code printed under the QR code on the "
        "certificate."
    )


@bp.record_once
def _template_helpers(state: BlueprintSetupState) -> None:
    state.app.jinja_env.globals.update(
        cert_kind_label=certifications.kind_label,
        cert_state=certifications.certification_state,
        cert_state_label=certifications.state_label,
        cert_state_badge=lambda s: certifications.STATE_BADGES[
            certifications.CertificationState(s)
        ],
        cert_number_hint=certifications.number_hint,
        batch_status_label=batches.status_label,
        inspection_result_label=batches.result_label,
    )


def trace_url(code: str) -> str:
    """The absolute URL the QR codes point to."""
    return url_for("trace.batch", code=code, _external=True)


@bp.get("/<code>")
def batch(code: str) -> Any:
    """The traceability page of a batch: origin, producer, 合格证, tests, certificates, sales."""
    view = batches.trace_view(db.session, code)
    if view is None:
        raise UnknownTraceCode()
    response = Response(render_template("catalog/trace/batch.html", v=view))
    response.headers["Cache-Control"] = "no-cache"  # a recall must show at once
    return response


@bp.get("/<code>/certificate.pdf", endpoint="certificate_pdf")
def certificate_pdf_view(code: str) -> Any:
    """The printable 承诺达标合格证 with its QR code."""
    batch = batches.find_by_code(db.session, code)
    if batch is None:
        raise UnknownTraceCode()
    data = certificate_pdf(batches.certificate_fields(batch), trace_url(batch.code))
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="hegezheng-{batch.code}.pdf"'  # ASCII name; the title is Chinese
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/<code>/qr.svg")
def qr(code: str) -> Any:
    """A QR code (SVG) of the traceability page, for sharing and printing."""
    batch = batches.find_by_code(db.session, code)
    if batch is None:
        raise UnknownTraceCode()
    out = io.BytesIO()
    qr_matrix(trace_url(batch.code)).save(
        out, kind="svg", scale=6, border=2, title=f"承诺达标合格证 {batch.code}", xmldecl=False
    )
    response = Response(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
