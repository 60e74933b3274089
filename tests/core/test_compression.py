"""gzip on the wire (yipin/compression.py): stylesheets and scripts always, pages only to a
request without cookies (a logged-in page holds a CSRF token beside text an attacker may echo:
compressing both leaks it through the length, BREACH)."""

from __future__ import annotations

import gzip
import io

from PIL import Image as PILImage

from yipin.db import db
from yipin.media.images import store_upload
from yipin.media.models import ImagePurpose

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_stylesheets_and_scripts_go_gzipped_to_who_accepts_it(client):
    plain = client.get("/static/css/site.css")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    packed = client.get("/static/css/site.css", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert packed.headers["ETag"].startswith('W/"')  # other bytes: not the strong validator
    again = client.get(
        "/static/css/site.css", headers={**GZIP, "If-None-Match": packed.headers["ETag"]}
    )
    assert again.status_code == 304
    script = client.get("/static/js/site.js", headers=GZIP)
    assert script.headers["Content-Encoding"] == "gzip"


def test_pages_are_gzipped_only_for_requests_without_cookies(app, client):
    anonymous = app.test_client()
    page = anonymous.get("/login", headers=GZIP)
    assert page.status_code == 200
    assert page.headers["Content-Encoding"] == "gzip"
    assert "<form" in gzip.decompress(page.data).decode()
    visitor = app.test_client()
    visitor.set_cookie("yipin_cart", "x" * 24)  # any cookie: a guest's cart
    with_cookie = visitor.get("/login", headers=GZIP)
    assert "Content-Encoding" not in with_cookie.headers
    assert "<form" in with_cookie.get_data(as_text=True)


def test_raster_pictures_carry_no_document_policies_svg_keeps_them(app, client):
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 64), (240, 140, 40)).save(buffer, "PNG")
    buffer.seek(0)
    image = store_upload(
        db.session, buffer, purpose=ImagePurpose.PRODUCT, supplier_id=None, uploaded_by_id=None
    )
    db.session.commit()
    picture = client.get(f"/media/images/{image.id}/small", headers=GZIP)
    assert picture.status_code == 200 and picture.mimetype == "image/webp"
    assert "Content-Encoding" not in picture.headers  # WebP is compressed already
    assert "Content-Security-Policy" not in picture.headers
    assert picture.headers["X-Content-Type-Options"] == "nosniff"
    icon = client.get("/static/favicon.svg", headers=GZIP)
    assert icon.status_code == 200
    assert "Content-Security-Policy" in icon.headers  # SVG is a document: it keeps the policy
