"""The 承诺达标合格证 PDF: the regulation's fields, the label, and a QR code of the trace URL."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest

from catalog.trace import pdf
from tests.catalog.test_trace import TODAY, freeze_local, make_batch, trace_world

pypdf = pytest.importorskip("pypdf", reason="pypdf extracts the PDF's text (test extra)")


@pytest.fixture
def world(app: Any, reference: None) -> SimpleNamespace:
    freeze_local(TODAY)
    return trace_world()


def _text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    # pypdf puts spaces (and NULs, reading fpdf2's 2-byte CIDs) between CJK glyphs; poppler's
    # pdftotext reads the same file cleanly. Compare without them.
    text = "".join(page.extract_text() for page in reader.pages).replace("\x00", "")
    return "".join(text.split())


def test_certificate_pdf_has_the_required_fields_label_and_qr(
    client: Any, world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = make_batch(world, quantity=500)
    encoded: list[str] = []
    real = pdf.qr_matrix

    def spy(url: str) -> Any:
        encoded.append(url)
        return real(url)

    monkeypatch.setattr(pdf, "qr_matrix", spy)
    response = client.get(f"/t/{batch.code}/certificate.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = _text(response.data)
    required = {
        "label": "承诺达标合格证",
        "product name": "产品名称" + world.product.name.replace(" ", ""),
        "quantity": "500件",
        "origin": "江西省赣州市寻乌县长宁镇三二五村委会",
        "date issued": "开具日期2026-11-20",
        "committing party": "承诺主体" + world.supplier.name,
        "contact": "联系方式" + world.supplier.contact_phone,
        "number": batch.certificate_number,
        "commitment": "不使用禁用农药兽药、停用兽药和非法添加物",
        "signature line": "承诺主体（签章）",
        "harvest date": "采收日期2026-11-15",
    }
    missing = {k: v for k, v in required.items() if v not in text}
    assert not missing, text
    # the label appears as the title and again under the QR code
    assert text.count("承诺达标合格证") >= 2
    # the QR code encodes the absolute traceability URL
    assert encoded == [f"http://localhost/t/{batch.code}"]
    qr = real(encoded[0])
    # error correction at least M (segno raises it when the version has room): survives scuffs
    assert qr.designator.split("-")[1] in {"M", "Q", "H"}


def test_pdf_without_a_cjk_font_is_a_clear_503(
    app: Any, client: Any, world: SimpleNamespace
) -> None:
    batch = make_batch(world, base_name="无字体测试地块")
    app.config["CJK_FONT_PATH"] = "/nonexistent/font.ttc"
    response = client.get(f"/t/{batch.code}/certificate.pdf")
    assert response.status_code == 503
    assert "中文字体" in response.get_data(as_text=True)
    api_like = client.get(
        f"/t/{batch.code}/certificate.pdf", headers={"Accept": "application/json"}
    )
    assert api_like.status_code == 503 and api_like.json["error"] == "cjk_font_missing"


def test_font_is_found_by_name_in_the_collection() -> None:
    regular, bold = pdf.find_cjk_font()
    if regular is None:
        pytest.skip("no CJK font installed")
    assert "CJK SC" in regular.name or regular.path.endswith((".ttf", ".otf", ".ttc"))
    if bold is not None:
        assert bold.index == regular.index
