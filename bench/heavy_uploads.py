"""How long an upload request spends on what it is sent (issue 7, finding 7). Figures only.

For each image: the time ``yipin.media.images.store_upload`` takes in a request (or how soon it
refuses); for the import: the time the upload request's check (``sniff``) takes against the
old one that opened the workbook in the request (``open_table``).

    .venv/bin/python bench/heavy_uploads.py
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (230, 120, 30)).save(out, "PNG", optimize=True)
    return out.getvalue()


def photo(width: int, height: int) -> bytes:
    from PIL import Image

    noise = Image.effect_noise((width // 4, height // 4), 60).resize((width, height)).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=60)
    return out.getvalue()


def xlsx_bomb(inflated_mb: int) -> bytes:
    """A small XLSX whose first row holds ``inflated_mb`` MB of cells (deflate makes them tiny):
    finding its header row means parsing all of them."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["SKU", "售价元"])
    plain = io.BytesIO()
    book.save(plain)
    cell = b"<c><v>1</v></c>"
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1">'
        + cell * (inflated_mb * 1024 * 1024 // len(cell))
        + b"</row></sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def main() -> None:
    os.environ.setdefault("YIPIN_INSTANCE_PATH", tempfile.mkdtemp(prefix="yipin-bench-"))
    from wsgi import create_app
    from yipin.media import images
    from yipin.media.models import ImagePurpose

    scratch = tempfile.mkdtemp(prefix="yipin-bench-")
    app = create_app({"DATABASE_URL": f"sqlite:///{scratch}/bench.sqlite3", "MEDIA_DIR": scratch})
    with app.app_context():
        from yipin.db import db

        db.create_all()
    cases = [
        ("PNG 6300×6300 (the issue's bomb)", png(6300, 6300)),
        ("JPEG photo 4032×3024 (12 MP phone)", photo(4032, 3024)),
        ("JPEG photo 8160×6120 (50 MP phone)", photo(8160, 6120)),
    ]
    print("image uploads (one request each):")
    for name, data in cases:
        with app.test_request_context("/"):
            from yipin.db import db

            started = time.perf_counter()
            try:
                images.store_upload(
                    db.session,
                    io.BytesIO(data),
                    purpose=ImagePurpose.PRODUCT,
                    supplier_id=None,
                    uploaded_by_id=None,
                )
                outcome = "stored"
            except images.InvalidImage as exc:
                outcome = f"refused ({exc.code})"
            finally:
                db.session.rollback()
            took = time.perf_counter() - started
        print(f"  {name:38} {len(data) / 1024:8.0f} KB  {took:6.2f} s  {outcome}")

    from catalog.importer import files

    bomb = xlsx_bomb(200)
    print(f"import upload: XLSX of {len(bomb) / 1024:.0f} KB inflating to 200 MB")
    with app.test_request_context("/"):
        started = time.perf_counter()
        try:
            files.sniff(bomb, max_bytes=10 * 1024 * 1024)
            outcome = "stored for the job"
        except files.ImportFileError as exc:
            outcome = f"refused ({exc.code})"
        took = time.perf_counter() - started
        print(f"  the request's check now (sniff)         {took:6.2f} s  {outcome}")
        started = time.perf_counter()
        try:
            files.open_table(bomb, max_bytes=10 * 1024 * 1024)
            outcome = "read"
        except files.ImportFileError as exc:
            outcome = f"refused ({exc.code})"
        took = time.perf_counter() - started
        print(f"  reading it (open_table, now in the job) {took:6.2f} s  {outcome}")


if __name__ == "__main__":
    main()
