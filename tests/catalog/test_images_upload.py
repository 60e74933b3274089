"""Product pictures (Pillow): only JPEG, PNG and WebP; decompression bombs, disguised files and
oversized uploads are refused without decoding; EXIF (farm GPS!) is gone from every stored file;
renditions are WebP of the right sizes; licence images are not public."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image as PILImage
from PIL import ImageFile

from catalog import actions
from catalog.models import Product, ProductImage, ProductStatus
from tests import factories
from tests.catalog import products_support as support
from yipin.db import db
from yipin.media import images
from yipin.media.models import Image, ImagePurpose

API = "/api/v1"


@pytest.fixture
def owner(app, reference):
    _supplier, owner = support.supplier_with_owner()
    db.session.commit()
    return owner


@pytest.fixture
def product(owner):
    product = support.draft_product(owner)
    db.session.commit()
    return product


def upload(client, product_id, data: bytes, filename="photo.jpg", alt=""):
    return client.api(
        "POST",
        f"{API}/products/{product_id}/images",
        data={"image": (io.BytesIO(data), filename), "alt": alt},
        content_type="multipart/form-data",
    )


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any pixel data is decoded."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("pixel data was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


# ----------------------------------------------------------------------------- refused uploads


@pytest.mark.parametrize("size", [(30000, 30000), (8000, 6000)])
def test_a_decompression_bomb_is_refused_without_decoding(
    owner, product, login_as, no_decoding, size
):
    client = login_as(owner)
    response = upload(client, product.id, support.png_bomb(*size), "bomb.png")
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "image_too_many_pixels"
    assert "image" in body["errors"]
    assert support.count(Image) == 0 and support.count(ProductImage) == 0


@pytest.mark.parametrize(
    "payload",
    [support.TEXT_BYTES, support.PDF_BYTES, support.zip_bytes(), b""],
    ids=["text", "pdf", "zip", "empty"],
)
def test_a_disguised_non_image_is_refused(owner, product, login_as, payload):
    response = upload(login_as(owner), product.id, payload, "photo.jpg")
    assert response.status_code == 422
    assert response.get_json()["error"] == "invalid_image"
    assert support.count(Image) == 0


@pytest.mark.parametrize(
    "payload",
    [support.gif_bytes(), support.bmp_bytes(), support.tiff_bytes()],
    ids=["gif", "bmp", "tiff"],
)
def test_gif_bmp_and_tiff_are_refused(owner, product, login_as, payload):
    response = upload(login_as(owner), product.id, payload, "photo.png")
    assert response.status_code == 422
    assert response.get_json()["error"] == "invalid_image"
    assert support.count(Image) == 0


def test_an_oversized_file_is_refused_before_parsing(owner, product, login_as, app, monkeypatch):
    app.config["IMAGE_MAX_BYTES"] = 50_000
    big = support.jpeg_bytes(1200, 900) + b"\0" * 60_000

    def refuse(*args, **kwargs):
        raise AssertionError("the oversized file was parsed")

    monkeypatch.setattr(PILImage, "open", refuse)
    response = upload(login_as(owner), product.id, big, "big.jpg")
    assert response.status_code == 413
    assert response.get_json()["error"] == "image_too_large"
    assert support.count(Image) == 0


def test_a_truncated_image_is_refused_cleanly(owner, product, login_as):
    data = support.jpeg_bytes(800, 600)
    response = upload(login_as(owner), product.id, data[: len(data) // 3], "cut.jpg")
    assert response.status_code == 422
    assert support.count(Image) == 0


# ----------------------------------------------------------------------------- stored files


def test_exif_and_gps_are_gone_from_the_original_and_every_rendition(owner, product, login_as):
    client = login_as(owner)
    response = upload(client, product.id, support.jpeg_with_gps(1600, 1200), "farm.jpg", "果园")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["alt"] == "果园"
    image = db.session.get(Image, body["image_id"])
    for rendition in ("original", "thumb", "medium", "large"):
        path = images.file_path(image, rendition)
        assert path is not None and path.exists()
        with PILImage.open(path) as stored:
            exif = stored.getexif()
            assert len(exif) == 0, (rendition, dict(exif))
            assert not exif.get_ifd(0x8825)  # GPS
            assert "exif" not in stored.info and "xmp" not in stored.info
        assert b"Canon" not in path.read_bytes()
    served = client.get(body["urls"]["original"])
    assert served.status_code == 200
    with PILImage.open(io.BytesIO(served.data)) as picture:
        assert len(picture.getexif()) == 0


def test_renditions_are_webp_of_the_right_sizes(owner, product, login_as):
    client = login_as(owner)
    body = upload(client, product.id, support.jpeg_bytes(1600, 1200), "wide.jpg").get_json()
    image = db.session.get(Image, body["image_id"])
    expected = {
        "thumb": (240, 180),
        "small": (360, 270),
        "medium": (720, 540),
        "large": (1440, 1080),
    }
    for rendition, size in expected.items():
        with PILImage.open(images.file_path(image, rendition)) as stored:
            assert stored.format == "WEBP"
            assert stored.size == size
    with PILImage.open(images.file_path(image, "original")) as original:
        assert original.format == "JPEG" and original.size == (1600, 1200)
    assert (image.width, image.height) == (1600, 1200)
    small = upload(client, product.id, support.png_bytes(64, 48, "green"), "s.png").get_json()
    small_image = db.session.get(Image, small["image_id"])
    with PILImage.open(images.file_path(small_image, "large")) as never_upscaled:
        assert never_upscaled.size == (64, 48)
    webp = io.BytesIO()
    PILImage.new("RGBA", (300, 200), (0, 128, 0, 128)).save(webp, "WEBP")
    response = upload(client, product.id, webp.getvalue(), "x.webp")
    assert response.status_code == 201
    thumb = client.get(response.get_json()["urls"]["thumb"])
    assert thumb.status_code == 200 and thumb.mimetype == "image/webp"


def test_flask_media_renditions_gives_older_pictures_the_sizes_added_since(
    owner, product, login_as, app
):
    client = login_as(owner)
    body = upload(client, product.id, support.jpeg_bytes(1600, 1200), "old.jpg").get_json()
    image = db.session.get(Image, body["image_id"])
    images.file_path(image, "small").unlink()  # stored before the small size existed
    image.renditions = {k: v for k, v in image.renditions.items() if k != "small"}
    db.session.commit()
    assert client.get(f"/media/images/{image.id}/small").status_code == 404

    result = app.test_cli_runner().invoke(args=["media", "renditions"])
    assert result.exit_code == 0, result.output
    assert "1 images completed" in result.output
    db.session.expire_all()
    image = db.session.get(Image, body["image_id"])
    assert image.renditions["small"]["width"] == 360
    served = client.get(f"/media/images/{image.id}/small")
    assert served.status_code == 200 and served.mimetype == "image/webp"
    with PILImage.open(io.BytesIO(served.data)) as small:
        assert small.size == (360, 270)
    again = app.test_cli_runner().invoke(args=["media", "renditions"])
    assert "0 images completed" in again.output  # nothing left to do


# ----------------------------------------------------------------------------- product rules


def test_adding_or_removing_pictures_is_a_content_change_reordering_is_not(owner, login_as):
    operator = factories.operator()
    product = support.listed_product(owner, operator)
    db.session.commit()
    client = login_as(owner)
    first = upload(client, product.id, support.png_bytes(100, 100, "red"), "a.png").get_json()
    assert db.session.get(Product, product.id).status == ProductStatus.PENDING_REVIEW
    second = upload(client, product.id, support.png_bytes(100, 100, "blue"), "b.png").get_json()
    actions.approve(db.session, operator, product.id)
    db.session.commit()

    response = client.api(
        "PATCH", f"{API}/products/{product.id}/images/{second['id']}", json={"position": 0}
    )
    assert response.status_code == 200
    assert [i["id"] for i in response.get_json()] == [second["id"], first["id"]]
    assert db.session.get(Product, product.id).status == ProductStatus.LISTED

    response = client.api(
        "PATCH", f"{API}/products/{product.id}/images/{first['id']}", json={"alt": "新描述"}
    )
    assert response.status_code == 200
    assert db.session.get(Product, product.id).status == ProductStatus.PENDING_REVIEW
    actions.approve(db.session, operator, product.id)
    db.session.commit()

    stored = db.session.get(Image, first["image_id"])
    folder = images.file_path(stored, "original").parent
    response = client.api("DELETE", f"{API}/products/{product.id}/images/{first['id']}")
    assert response.status_code == 204
    db.session.expire_all()
    assert db.session.get(Product, product.id).status == ProductStatus.PENDING_REVIEW
    assert db.session.get(Image, first["image_id"]) is None
    assert not folder.exists()
    remaining = db.session.scalars(
        sa.select(ProductImage).where(ProductImage.product_id == product.id)
    ).all()
    assert [(pi.id, pi.position) for pi in remaining] == [(second["id"], 0)]


def test_the_same_picture_twice_and_too_many_pictures_are_refused(owner, product, login_as):
    client = login_as(owner)
    picture = support.png_bytes(80, 80, "red")
    assert upload(client, product.id, picture, "a.png").status_code == 201
    again = upload(client, product.id, picture, "a-copy.png")
    assert again.status_code == 409 and again.get_json()["error"] == "duplicate_image"
    for n in range(actions.MAX_IMAGES - 1):
        color = (n * 20 % 256, 100, 200)
        assert (
            upload(client, product.id, support.png_bytes(80, 80, color), "p.png").status_code == 201
        )
    response = upload(client, product.id, support.png_bytes(80, 80, "white"), "z.png")
    assert response.status_code == 422 and response.get_json()["error"] == "too_many_images"
    assert support.count(ProductImage) == actions.MAX_IMAGES


# ----------------------------------------------------------------------------- portal


def test_the_portal_uploads_several_pictures_and_reports_each_bad_one(owner, product, login_as):
    client = login_as(owner)
    url = f"/supplier/catalog/products/{product.id}"
    response = client.submit(
        f"{url}/images",
        {
            "images": [
                (io.BytesIO(support.jpeg_bytes(900, 900, "orange")), "橙子.jpg"),
                (io.BytesIO(support.TEXT_BYTES), "假图片.jpg"),
                (io.BytesIO(support.png_bytes(300, 300, "green")), "叶子.png"),
            ],
            "alt": "赣南脐橙",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    links = db.session.scalars(
        sa.select(ProductImage)
        .where(ProductImage.product_id == product.id)
        .order_by(ProductImage.position)
    ).all()
    assert len(links) == 2 and all(link.alt == "赣南脐橙" for link in links)
    page = client.get(url).get_data(as_text=True)
    assert "假图片.jpg" in page  # the bad one is named in the message
    assert page.count('class="image-item"') == 2

    second = links[1].id
    client.submit(f"{url}/images/{second}/move", {"direction": "up"})
    db.session.expire_all()
    assert db.session.get(ProductImage, second).position == 0
    client.submit(f"{url}/images/{second}/alt", {"alt": "脐橙叶子"})
    assert db.session.get(ProductImage, second).alt == "脐橙叶子"
    client.submit(f"{url}/images/{second}/delete", {})
    assert db.session.get(ProductImage, second) is None
    assert support.count(ProductImage) == 1


def test_the_portal_refuses_a_bomb(owner, product, login_as, no_decoding):
    response = login_as(owner).submit(
        f"/supplier/catalog/products/{product.id}/images",
        {"images": [(io.BytesIO(support.png_bomb()), "bomb.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert support.count(Image) == 0


# ----------------------------------------------------------------------------- who sees what


def test_licence_images_are_not_served_to_anonymous_users(owner, app, client, login_as):
    licence = images.store_upload(
        db.session,
        io.BytesIO(support.jpeg_bytes(600, 400)),
        purpose=ImagePurpose.LICENCE,
        supplier_id=owner.supplier_id,
        uploaded_by_id=owner.id,
    )
    picture = images.store_upload(
        db.session,
        io.BytesIO(support.jpeg_bytes(600, 400, "green")),
        purpose=ImagePurpose.PRODUCT,
        supplier_id=owner.supplier_id,
        uploaded_by_id=owner.id,
    )
    stranger = factories.supplier_staff()
    operator = factories.operator()
    db.session.commit()
    licence_url = f"/media/images/{licence.id}/medium"
    assert client.get(licence_url).status_code == 404
    assert client.get(f"/media/images/{licence.id}/original").status_code == 404
    assert client.get(f"/media/images/{picture.id}/medium").status_code == 200
    assert login_as(stranger).get(licence_url).status_code == 404
    client.post("/logout", headers={"X-CSRFToken": client.csrf_token()})
    response = login_as(owner).get(licence_url)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    client.post("/logout", headers={"X-CSRFToken": client.csrf_token()})
    assert login_as(operator).get(licence_url).status_code == 200


@pytest.mark.parametrize("who", ["stranger", "consumer", "bureau"])
def test_image_endpoints_refuse_others(owner, product, login_as, who):
    link = actions.add_image(db.session, owner, product.id, io.BytesIO(support.png_bytes()))
    db.session.commit()
    before = support.snapshot(product.id)
    user = {
        "stranger": factories.supplier_staff,
        "consumer": factories.consumer,
        "bureau": factories.bureau,
    }[who]()
    db.session.commit()
    client = login_as(user)
    expected = {"stranger": 404, "consumer": 403, "bureau": 403}[who]
    assert upload(client, product.id, support.png_bytes(30, 30, "red")).status_code == expected
    url = f"{API}/products/{product.id}/images/{link.id}"
    assert client.api("PATCH", url, json={"alt": "x"}).status_code == expected
    assert client.api("DELETE", url).status_code == expected
    assert support.snapshot(product.id) == before
    assert support.count(Image) == 1
