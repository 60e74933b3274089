"""A client generated from the OpenAPI document works: ``openapi-python-client`` generates a
Python package from ``/api/openapi.json`` (into a temporary folder, here in the test), and that
package — nothing hand-written — walks a supplier's real flow and a bureau's against a live
server. Errors arrive as typed ``Error`` objects carrying both languages."""

from __future__ import annotations

import importlib
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests
from PIL import Image

from tests.conftest import PASSWORD

CONFIG = """\
project_name_override: yipin-client
package_name_override: yipin_client
post_hooks: []
content_type_overrides:
  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: application/octet-stream
"""


_GENERATED: dict[str, Path] = {}  # document → the folder its client was generated in


@pytest.fixture
def generated(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client package generated from the live server's document, imported (generated
    once per document in a session)."""
    document = requests.get(f"{live_server}/api/openapi.json", timeout=30).text
    folder = _GENERATED.get(document)
    if folder is None:
        folder = tmp_path_factory.mktemp("generated-client")
        (folder / "openapi.json").write_text(document)
        (folder / "config.yaml").write_text(CONFIG)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "openapi_python_client",
                "generate",
                "--path",
                "openapi.json",
                "--config",
                "config.yaml",
                "--meta",
                "none",
                "--fail-on-warning",
            ],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        _GENERATED[document] = folder
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("yipin_client")
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n.split(".")[0] == "yipin_client"]:
            del sys.modules[name]


def op(package: str, name: str) -> Any:
    return importlib.import_module(f"yipin_client.api.{package}.{name}")


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (240, 140, 20)).save(out, "PNG")
    return out.getvalue()


def sign_in(client_module: ModuleType, base: str, login: str) -> Any:
    from yipin_client.models import TokenRequest

    anonymous = client_module.Client(base_url=base)
    issued = op("accounts", "post_tokens").sync(
        client=anonymous, body=TokenRequest(login=login, password=PASSWORD, name="ERP")
    )
    assert issued.token.startswith("yp_")
    return client_module.AuthenticatedClient(base_url=base, token=issued.token)


def assert_bilingual_error(error: Any, status: int, code: str | None = None) -> None:
    from yipin_client.models import Error

    assert isinstance(error, Error), error
    assert error.code == status
    if code is not None:
        assert error.error == code
    assert error.messages.zh_cn and error.messages.en
    assert error.messages.zh_cn != error.messages.en


def test_a_supplier_walks_the_listing_flow_with_a_generated_client(world, live_server, generated):
    from yipin_client.models import (
        BatchCreate,
        Error,
        ImageUploadForm,
        ProductWrite,
        TokenRequest,
        Trace,
        VariantWrite,
    )
    from yipin_client.types import File

    base = live_server
    wrong = op("accounts", "post_tokens").sync(
        client=generated.Client(base_url=base),
        body=TokenRequest(login=world.logins["supplier"], password="not-the-password"),
    )
    assert_bilingual_error(wrong, 401, "invalid_credentials")

    client = sign_in(generated, base, world.logins["supplier"])
    me = op("accounts", "get_me").sync(client=client)
    assert me.role == "supplier"

    category = next(
        c for c in op("catalog", "get_categories").sync(client=client) if c.slug == "fresh-fruit"
    )
    standard = next(
        s
        for s in op("catalog", "get_grade_standards").sync(client=client)
        if s.code == "GB/T 21488-2008"
    )
    brands = op("catalog", "get_brands").sync(client=client)
    brand = next(b for b in brands if b.slug == "gannan-navel-orange")
    product = op("catalog", "post_products").sync(
        client=client,
        body=ProductWrite(
            category_id=category.id,
            name="赣南脐橙 寻乌果园直发",
            origin_region_code="360734",
            shelf_life_days=30,
            brand_id=brand.id,
            grade_standard_id=standard.id,
            subtitle="现摘现发",
            sale_months=[11, 12, 1],
        ),
    )
    assert not isinstance(product, Error), product
    assert product.status == "draft" and product.origin_name

    grade = next(g for g in standard.grades if g.sellable)
    variant = op("catalog", "post_product_variants").sync(
        product.id,
        client=client,
        body=VariantWrite(
            sku="XW-5KG-80",
            spec="5 kg 75–80 mm",
            grade_id=grade.id,
            net_weight_g=5000,
            gross_weight_g=5600,
            price_fen=6980,
        ),
    )
    assert not isinstance(variant, Error), variant
    assert variant.price_fen == 6980

    refused = op("catalog", "post_product_variants").sync(
        product.id,
        client=client,
        body=VariantWrite(
            sku="XW-BAD", spec="5 kg", net_weight_g=5000, gross_weight_g=4000, price_fen=100
        ),
    )
    assert_bilingual_error(refused, 422)
    assert "gross_weight_g" in refused.errors.to_dict()

    batch = op("catalog", "post_batches").sync(
        client=client,
        body=BatchCreate(
            variant_id=variant.id,
            base_name="长宁镇脐橙基地 3 号地块",
            base_region_code="360734100",
            quantity=500,
            harvest_date="2026-11-10",
        ),
    )
    assert not isinstance(batch, Error), batch
    assert batch.code and batch.certificate.product_name == product.name

    picture = op("catalog", "post_product_images").sync(
        product.id,
        client=client,
        body=ImageUploadForm(
            image=File(payload=io.BytesIO(png()), file_name="orange.png", mime_type="image/png"),
            alt="果园实拍",
        ),
    )
    assert not isinstance(picture, Error), picture
    assert picture.alt == "果园实拍" and picture.width == 640

    not_an_image = op("catalog", "post_product_images").sync(
        product.id,
        client=client,
        body=ImageUploadForm(
            image=File(payload=io.BytesIO(b"%PDF-1.4"), file_name="x.png", mime_type="image/png")
        ),
    )
    assert_bilingual_error(not_an_image, 422, "invalid_image")

    listed = op("catalog", "get_products").sync_detailed(client=client, page_size=5)
    assert json.loads(listed.headers["X-Pagination"])["total"] == 2  # the world's and this one

    traced = op("catalog", "get_trace").sync(batch.code, client=generated.Client(base_url=base))
    assert isinstance(traced, Trace), traced
    assert traced.code == batch.code and traced.recalled is False
    assert traced.product.name == product.name
    assert traced.base_name == "长宁镇脐橙基地 3 号地块"

    missing = op("catalog", "get_trace").sync("NOSUCHCODE", client=generated.Client(base_url=base))
    assert_bilingual_error(missing, 404)


def test_a_bureau_reads_statistics_with_a_generated_client(world, live_server, generated):
    from yipin_client.models import Active, RegionStatistics

    client = sign_in(generated, live_server, world.logins["bureau"])
    stats = op("bureau", "get_statistics").sync(client=client)
    assert isinstance(stats, RegionStatistics), stats
    assert stats.region_code == "3607" and stats.region_name
    xunwu = next(c for c in stats.counties if c.code == "360734")
    assert xunwu.verified_suppliers == 1 and xunwu.listed_products == 1
    assert stats.listed_products == 1

    suppliers = op("suppliers", "get_suppliers").sync(client=client)
    assert [s.region_code[:4] for s in suppliers] == ["3607"]

    read_only = op("accounts", "put_user_active").sync(
        1, client=client, body=Active(is_active=False)
    )
    assert_bilingual_error(read_only, 403, "read_only")

    anonymous = op("bureau", "get_statistics").sync(client=generated.Client(base_url=live_server))
    assert_bilingual_error(anonymous, 401)
