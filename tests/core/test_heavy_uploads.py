"""Heavy work stays out of the request (issue 7, finding 7): images have a decode budget decided
from their header (refused, or a JPEG decoded at its built-in scale), and an import upload is
stored and answered at once — the file is read in the job, never in the request."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image as PILImage
from PIL import ImageFile

from catalog.models import ImportJob
from tests import factories
from tests.conftest import login
from yipin.db import db
from yipin.media.models import Image


def png(width: int, height: int, color: str = "orange") -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(out, "PNG", optimize=True)
    return out.getvalue()


def jpeg(width: int, height: int, color: str = "orange") -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(out, "JPEG", quality=80)
    return out.getvalue()


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if Pillow decodes any pixel."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("pixel data was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


@pytest.fixture
def owner(app: Any, reference: Any):
    owner = factories.supplier_staff(owner=True)
    db.session.commit()
    return owner


@pytest.fixture
def product(owner):
    product = factories.ProductFactory(supplier=owner.supplier)
    factories.VariantFactory(product=product)
    db.session.commit()
    return product


def post_image(client, product_id: int, data: bytes, name: str) -> Any:
    return client.api(
        "POST",
        f"/api/v1/products/{product_id}/images",
        data={"image": (io.BytesIO(data), name), "alt": ""},
        content_type="multipart/form-data",
    )


def test_a_6300_square_png_is_refused_from_its_header(client, owner, product, no_decoding):
    bomb = png(6300, 6300)
    assert len(bomb) < 200 * 1024  # the 115 KB file of the issue: tiny, 39.7 megapixels
    login(client, owner)
    response = post_image(client, product.id, bomb, "bomb.png")
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert response.json["error"] == "image_too_many_pixels"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Image)) == 0


def test_a_large_jpeg_is_decoded_at_its_built_in_scale_and_stored_smaller(
    app, client, owner, product
):
    from yipin.media.images import decode_size

    assert decode_size("JPEG", 8160, 6120) == (4080, 3060)  # a 50 MP phone photo: 1/2 scale
    assert decode_size("JPEG", 4032, 3024) == (4032, 3024)  # a 12 MP one: as it is
    assert decode_size("PNG", 8160, 6120) == (8160, 6120)  # PNG has no scales
    login(client, owner)
    response = post_image(client, product.id, jpeg(6000, 4000), "big.jpg")
    assert response.status_code == 201, response.get_data(as_text=True)[:300]
    image = db.session.scalars(sa.select(Image)).one()
    assert max(image.width, image.height) == app.config["IMAGE_KEEP_SIDE"]


def test_one_request_may_decode_only_its_budget(app, client, owner, product):
    app.config["IMAGE_DECODE_BUDGET_PIXELS"] = 3_000_000
    login(client, owner)
    response = client.submit(
        f"/supplier/catalog/products/{product.id}/images",
        {
            "images": [
                (io.BytesIO(png(1000, 1000, c)), f"{c}.png")
                for c in ("red", "green", "blue", "gray")
            ]
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Image)) == 3
    page = client.get(response.location).get_data(as_text=True)
    assert "gray.png" in page  # the one past the budget is named


# ----------------------------------------------------------------------------- imports


def xlsx_bomb() -> bytes:
    """A small XLSX whose shared strings inflate to ~64 MB (parsing them takes seconds)."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["SKU", "售价元"])
    book.active.append(["T-1", "1"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/padding.xml", b"<x>" + b" " * (64 * 1024 * 1024) + b"</x>")
    return out.getvalue()


def test_an_import_upload_is_stored_and_answered_without_reading_it(
    client, owner, jobs, monkeypatch
):
    import openpyxl

    from catalog.importer import files

    def no_reading(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the workbook was opened in the request")

    data = xlsx_bomb()
    assert len(data) < 1024 * 1024
    login(client, owner)
    monkeypatch.setattr(openpyxl, "load_workbook", no_reading)
    monkeypatch.setattr(files, "open_table", no_reading)
    response = client.api(
        "POST",
        "/api/v1/imports",
        data={"file": (io.BytesIO(data), "stock.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_data(as_text=True)[:300]
    assert response.json["status"] == "queued"
    monkeypatch.undo()
    jobs.run()  # the job reads it
    job = db.session.get(ImportJob, response.json["id"])
    assert job.status in ("finished", "failed") and job.total_rows in (0, 1)


def test_a_damaged_workbook_fails_its_job_not_its_upload(client, owner, jobs):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not-a-workbook")
        archive.writestr("[Content_Types].xml", "<bad")
    login(client, owner)
    response = client.api(
        "POST",
        "/api/v1/imports",
        data={"file": (io.BytesIO(out.getvalue()), "stock.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202
    jobs.run()
    job = client.get(f"/api/v1/imports/{response.json['id']}").json
    assert job["status"] == "failed" and "Excel" in job["failure"]


def test_on_the_embedded_default_the_upload_answers_before_the_import_runs(
    embedded_app, embedded_client, embedded_reference
):
    from yipin import jobs

    owner = factories.supplier_staff(owner=True)
    db.session.commit()
    login(embedded_client, owner)
    rows = "SKU,商品名称\n#example,x\n"
    response = embedded_client.api(
        "POST",
        "/api/v1/imports",
        data={"file": (io.BytesIO(rows.encode()), "a.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202
    jobs.wait_for_background()
    job = embedded_client.get(f"/api/v1/imports/{response.json['id']}").json
    assert job["status"] == "finished"
