"""The 承诺达标合格证 as a printable PDF (fpdf2), with a QR code labelled 承诺达标合格证.

Fonts: fpdf2 (≥ 2.8) embeds OpenType/CFF fonts and picks one face out of a TrueType/OpenType
collection (``collection_font_number``), so Debian's Noto Sans CJK collection
(fonts-noto-cjk, ``NotoSansCJK-Regular.ttc``) is used directly, subset to the glyphs printed.
The face is chosen by name (``Noto Sans CJK SC``), not by a fixed index. ``CJK_FONT_PATH`` (and
``CJK_FONT_INDEX``) in the configuration override the search; otherwise a few known paths are
tried, then ``fc-list :lang=zh``. Without any CJK font the PDF is refused with a clear 503.

The label size is A6 (105 × 148 mm): it prints on label printers and, scaled, on A4.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import segno
from flask import current_app
from fpdf import FPDF

from catalog.trace.queries import CertificateFields
from yipin.errors import DomainError
from yipin.i18n import _l

log = logging.getLogger("yipin.catalog.pdf")

PAGE = (105.0, 148.0)  # A6 portrait, mm
LABEL = "承诺达标合格证"
KNOWN_FONTS = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "NotoSerifCJK-Bold.ttc"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", None),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", None),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", None),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", None),
]
PREFERRED_FACES = ("CJK SC", "Sans SC", "Hei", "CJK JP", "CJK")  # by name, in this order
PROBE = "承诺达标合格证赣"  # the font must have these glyphs


class CjkFontMissing(DomainError):
    status = 503
    code = "cjk_font_missing"
    message = _l(
        "The certificate cannot be printed: no Chinese font is installed on the server "
        "(install fonts-noto-cjk)."
    )


@dataclass(frozen=True)
class FontFace:
    path: str
    index: int  # face number inside a collection (0 for a single font)
    name: str


def _faces(path: str) -> list[FontFace]:
    """The faces of a font file that have the probe glyphs."""
    from fontTools.ttLib import TTCollection, TTFont

    try:
        if path.lower().endswith((".ttc", ".otc")):
            fonts = list(TTCollection(path, lazy=True).fonts)
        else:
            fonts = [TTFont(path, lazy=True)]
    except Exception:  # unreadable / not a font
        log.warning("cannot read font %s", path, exc_info=True)
        return []
    faces = []
    for index, font in enumerate(fonts):
        try:
            cmap = font.getBestCmap() or {}
            name = str(font["name"].getDebugName(4) or font["name"].getDebugName(1) or "")
        except Exception:
            continue
        if all(ord(ch) in cmap for ch in PROBE):
            faces.append(FontFace(path, index, name))
    return faces


def _pick(faces: list[FontFace]) -> FontFace | None:
    for wanted in PREFERRED_FACES:
        for face in faces:
            if wanted in face.name and "Mono" not in face.name:
                return face
    return faces[0] if faces else None


def _fc_list() -> list[str]:
    if shutil.which("fc-list") is None:
        return []
    try:
        out = subprocess.run(
            ["fc-list", "-f", "%{file}\n", ":lang=zh"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = sorted({line.strip() for line in out.splitlines() if line.strip()})
    # fpdf2 embeds TrueType and OpenType; prefer regular weights
    return sorted(files, key=lambda f: ("Bold" in f or "Light" in f, f))


@lru_cache(maxsize=4)
def find_cjk_font(
    configured: str | None = None, configured_index: int | None = None
) -> tuple[FontFace | None, FontFace | None]:
    """(regular, bold or None) CJK faces, or (None, None) when none is installed."""
    if configured:
        faces = _faces(configured)
        if configured_index is not None:
            faces = [f for f in faces if f.index == configured_index] or faces
        regular = _pick(faces)
        return regular, None
    for path, bold_name in KNOWN_FONTS:
        if not Path(path).exists():
            continue
        regular = _pick(_faces(path))
        if regular is None:
            continue
        bold = None
        if bold_name and (Path(path).parent / bold_name).exists():
            bold_faces = _faces(str(Path(path).parent / bold_name))
            same = [f for f in bold_faces if f.index == regular.index]
            bold = same[0] if same else _pick(bold_faces)
        return regular, bold
    for path in _fc_list():
        regular = _pick(_faces(path))
        if regular is not None:
            return regular, None
    return None, None


def _fonts() -> tuple[FontFace, FontFace | None]:
    regular, bold = find_cjk_font(
        current_app.config.get("CJK_FONT_PATH"), current_app.config.get("CJK_FONT_INDEX")
    )
    if regular is None:
        raise CjkFontMissing()
    return regular, bold


# ----------------------------------------------------------------------------- rendering


_cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()
CACHE_SIZE = 64


def certificate_pdf(fields: CertificateFields, trace_url: str) -> bytes:
    """The PDF bytes of a 合格证 (cached: loading and subsetting the font takes a second)."""
    key = (repr(fields), trace_url)
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    data = render_certificate(fields, trace_url)
    _cache[key] = data
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return data


def qr_matrix(trace_url: str) -> segno.QRCode:
    """The QR code printed on the 合格证: the absolute traceability URL."""
    return segno.make(trace_url, error="m", micro=False)


def render_certificate(fields: CertificateFields, trace_url: str) -> bytes:
    regular, bold = _fonts()
    pdf = FPDF(orientation="P", unit="mm", format=PAGE)
    pdf.set_title(f"{LABEL} {fields.number}")
    pdf.set_subject(f"{fields.product_name} {fields.code}")
    pdf.set_creator("Yipin")
    pdf.set_author(fields.committing_party)
    pdf.set_auto_page_break(False)
    pdf.set_margins(7, 7, 7)
    pdf.add_font("cjk", "", regular.path, collection_font_number=regular.index)
    bold_style = "B" if bold is not None else ""
    if bold is not None:
        pdf.add_font("cjk", "B", bold.path, collection_font_number=bold.index)
    pdf.add_page()
    width = PAGE[0] - 14

    # frame and title
    pdf.set_draw_color(40, 40, 40)
    pdf.set_line_width(0.6)
    pdf.rect(4, 4, PAGE[0] - 8, PAGE[1] - 8)
    pdf.set_line_width(0.2)
    pdf.set_xy(7, 8)
    pdf.set_font("cjk", bold_style, 17)
    pdf.cell(width, 9, LABEL, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", "", 7.5)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(width, 4.5, f"编号：{fields.number}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1.5)

    # the regulation's fields
    product = fields.product_name
    details = " · ".join(x for x in (fields.grade_name, fields.spec) if x)
    if details:
        product += f"（{details}）"
    produced_label = "采收日期" if fields.produced_is_harvest else "生产日期"
    rows = [
        ("产品名称", product),
        ("数量（重量）", fields.quantity_text),
        ("产　　地", f"{fields.origin}\n{fields.base_name}"),
        (produced_label, fields.produced_on.isoformat() if fields.produced_on else "—"),
        ("开具日期", fields.issued_on.isoformat()),
        ("承诺主体", fields.committing_party),
        ("联系方式", fields.contact_phone),
    ]
    label_w = 21.0
    for label, value in rows:
        y = pdf.get_y()
        pdf.set_font("cjk", bold_style, 8.5)
        pdf.set_xy(7, y)
        pdf.cell(label_w, 5, label)
        pdf.set_font("cjk", "", 8.5)
        pdf.set_xy(7 + label_w, y)
        pdf.multi_cell(width - label_w, 5, value, align="L", new_x="LMARGIN", new_y="NEXT")
        end = pdf.get_y() + 0.8
        pdf.set_draw_color(210, 210, 210)
        pdf.line(7, end, 7 + width, end)
        pdf.set_y(end + 0.8)

    # the commitment
    pdf.ln(0.5)
    pdf.set_font("cjk", bold_style, 8.5)
    pdf.cell(width, 5, "我承诺对生产销售的食用农产品：", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", "", 8.5)
    for statement in fields.statements:
        pdf.multi_cell(width, 4.6, f"√ {statement}", align="L", new_x="LMARGIN", new_y="NEXT")
    if fields.basis:
        pdf.ln(0.5)
        pdf.multi_cell(
            width, 4.6, f"承诺依据：{fields.basis}", align="L", new_x="LMARGIN", new_y="NEXT"
        )

    # signature (left) and QR labelled 承诺达标合格证 (right)
    qr_size = 27.0
    qr_x = PAGE[0] - 7 - qr_size
    qr_y = PAGE[1] - 7 - qr_size - 9
    sig_y = qr_y + 6
    pdf.set_draw_color(40, 40, 40)
    pdf.set_font("cjk", "", 8.5)
    pdf.set_xy(7, sig_y)
    pdf.cell(30, 5, "承诺主体（签章）：")
    pdf.line(7, sig_y + 13, qr_x - 4, sig_y + 13)
    pdf.set_xy(7, sig_y + 15)
    pdf.set_font("cjk", "", 7.5)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(qr_x - 11, 4, f"追溯码 {fields.code}")
    pdf.set_text_color(0, 0, 0)
    _draw_qr(pdf, qr_matrix(trace_url), qr_x, qr_y, qr_size)
    pdf.set_xy(qr_x - 3, qr_y + qr_size + 0.5)
    pdf.set_font("cjk", bold_style, 8)
    pdf.cell(qr_size + 6, 4.5, LABEL, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("cjk", "", 6)
    pdf.set_x(qr_x - 3)
    pdf.cell(qr_size + 6, 3.5, "扫码查看产品追溯信息", align="C")
    return bytes(pdf.output())


def _draw_qr(pdf: FPDF, qr: segno.QRCode, x: float, y: float, size: float) -> None:
    """The QR code as vector squares (crisp at any print size), quiet zone included."""
    rows = [list(r) for r in qr.matrix_iter(scale=1, border=2)]
    module = size / len(rows)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                # a hair taller than a module: no white seams between rows in any viewer
                pdf.rect(
                    x + start * module, y + r * module, (c - start) * module, module + 0.02, "F"
                )
            else:
                c += 1
