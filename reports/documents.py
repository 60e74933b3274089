"""Exports of reports: CSV and XLSX through the one export helper, and PDFs laid out like an
official statistical report (红头: the issuer in red over a red rule, the title, the scope and
period, a ruled table with its total, the stated rules, who made it and when, page numbers).

PDFs use the Chinese font the 合格证 uses (``catalog.pdf.find_cjk_font``: Noto Sans CJK from
fonts-noto-cjk, subset into the file); without one a PDF is refused with a clear 503.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from flask import Response, current_app
from fpdf import FPDF

from catalog.trace.pdf import CjkFontMissing, find_cjk_font
from reports.labels import COLUMN_LABELS, KPI_LABELS
from reports.queries import Kpi, SalesReport
from yipin import exports
from yipin.i18n import _
from yipin.money import format_fen

SALES_COLUMNS = (
    "sales_fen",
    "refunds_fen",
    "net_fen",
    "upward_fen",
    "local_fen",
    "quantity",
    "lines",
)
RED = (192, 0, 0)


def yuan(fen: int | None) -> Decimal | None:
    """Fen as a yuan number for a spreadsheet cell (exact: a Decimal of two places)."""
    return None if fen is None else (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def _cell(column: str, value: int) -> Any:
    return yuan(value) if column.endswith("_fen") else value


@dataclass
class Heading:
    """What every export of a report says about itself."""

    issuer: str  # the platform (红头)
    title: str
    lines: Sequence[tuple[str, str]]  # (label, text): scope, period, filters, rules
    made_at: str


def sales_table(report: SalesReport, dimension_label: str) -> tuple[list[str], list[list[Any]]]:
    header = [dimension_label] + [
        f"{COLUMN_LABELS[c]}" + ("（元）" if c.endswith("_fen") else "") for c in SALES_COLUMNS
    ]
    rows = [[r.label] + [_cell(c, r.as_dict()[c]) for c in SALES_COLUMNS] for r in report.rows]
    rows.append([_("Total")] + [_cell(c, report.total.as_dict()[c]) for c in SALES_COLUMNS])
    return header, rows


def series_table(report: SalesReport) -> tuple[list[str], list[list[Any]]]:
    header = [_("Period")] + [
        f"{COLUMN_LABELS[c]}" + ("（元）" if c.endswith("_fen") else "") for c in SALES_COLUMNS
    ]
    rows = [[r.label] + [_cell(c, r.as_dict()[c]) for c in SALES_COLUMNS] for r in report.series]
    return header, rows


def kpi_table(kpis: Sequence[Kpi]) -> tuple[list[str], list[list[Any]]]:
    header = [_("Indicator"), _("This period"), _("Previous period"), _("Change")]
    rows = []
    for k in kpis:
        value = yuan(k.value) if k.unit == "fen" else k.value  # type: ignore[arg-type]
        previous = yuan(k.previous) if k.unit == "fen" else k.previous  # type: ignore[arg-type]
        change = "" if k.change is None else f"{k.change * 100:+.1f}%"
        rows.append([str(KPI_LABELS.get(k.code, k.code)), value, previous, change])
    return header, rows


def preamble(heading: Heading) -> list[list[Any]]:
    rows: list[list[Any]] = [[heading.issuer], [heading.title]]
    rows += [[label, text] for label, text in heading.lines]
    rows.append([_("Made at"), heading.made_at])
    rows.append([])
    return rows


def xlsx(
    heading: Heading, sheets: Sequence[tuple[str, list[str], list[list[Any]], Sequence[int]]]
) -> bytes:
    return exports.xlsx_bytes(
        [
            exports.Sheet(
                title, header, rows, widths=widths, preamble=preamble(heading) if i == 0 else []
            )
            for i, (title, header, rows, widths) in enumerate(sheets)
        ]
    )


def csv(header: list[str], rows: list[list[Any]]) -> bytes:
    return exports.csv_bytes(header, rows)


def download(data: bytes, filename: str) -> Response:
    if filename.endswith(".pdf"):
        ascii_name = filename.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
        return Response(
            data,
            mimetype="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{ascii_name}";'
                f" filename*=UTF-8''{quote(filename)}",
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )
    return exports.download(data, filename)


# ----------------------------------------------------------------------------- PDF


class ReportPdf(FPDF):
    def __init__(self, heading: Heading, *, landscape: bool = True) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        regular, bold = find_cjk_font(
            current_app.config.get("CJK_FONT_PATH"), current_app.config.get("CJK_FONT_INDEX")
        )
        if regular is None:
            raise CjkFontMissing()
        self.add_font("cjk", "", regular.path, collection_font_number=regular.index)
        self.bold = "B" if bold is not None else ""
        if bold is not None:
            self.add_font("cjk", "B", bold.path, collection_font_number=bold.index)
        self.heading = heading
        self.set_title(heading.title)
        self.set_creator("Yipin")
        self.set_author(heading.issuer)
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, 18)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("cjk", "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"{self.heading.issuer} · {self.heading.title}", align="L")
        self.set_x(self.l_margin)
        self.cell(
            0, 5, _("Page %(page)s of %(pages)s", page=self.page_no(), pages="{nb}"), align="R"
        )
        self.set_text_color(0, 0, 0)

    def head(self) -> None:
        width = self.w - self.l_margin - self.r_margin
        self.set_text_color(*RED)
        self.set_font("cjk", self.bold, 22)
        self.cell(width, 12, self.heading.issuer, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*RED)
        self.set_line_width(0.8)
        y = self.get_y() + 1
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.set_line_width(0.3)
        self.line(self.l_margin, y + 1.2, self.w - self.r_margin, y + 1.2)
        self.set_text_color(0, 0, 0)
        self.set_draw_color(0, 0, 0)
        self.set_y(y + 5)
        self.set_font("cjk", self.bold, 16)
        self.cell(width, 10, self.heading.title, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font("cjk", "", 9)
        for label, text in self.heading.lines:
            self.multi_cell(width, 5, f"{label}：{text}", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        *,
        total_last: bool = True,
    ) -> None:
        width = self.w - self.l_margin - self.r_margin
        scale = width / sum(widths)
        cols = [w * scale for w in widths]

        def line(values: Sequence[Any], bold: bool = False, fill: bool = False) -> None:
            self.set_font("cjk", self.bold if bold else "", 8.5)
            if self.get_y() + 7 > self.h - 18:
                self.add_page()
                line(header, bold=True, fill=True)
                self.set_font("cjk", self.bold if bold else "", 8.5)
            for i, value in enumerate(values):
                text = _pdf_text(value)
                align = "L" if i == 0 or not _numeric(value) else "R"
                self.cell(cols[i], 7, text, border=1, align=align, fill=fill)
            self.ln(7)

        self.set_fill_color(242, 242, 242)
        line(header, bold=True, fill=True)
        for i, row in enumerate(rows):
            line(row, bold=total_last and i == len(rows) - 1)

    def signature_block(self, notes: Sequence[str]) -> None:
        width = self.w - self.l_margin - self.r_margin
        self.ln(3)
        self.set_font("cjk", "", 8.5)
        for note in notes:
            self.multi_cell(width, 5, note, new_x="LMARGIN", new_y="NEXT")
        self.ln(4)
        self.set_font("cjk", "", 10)
        third = width / 3
        self.cell(third, 7, _("Prepared by") + "：__________")
        self.cell(third, 7, _("Checked by") + "：__________")
        self.cell(
            third,
            7,
            _("Made at") + f"：{self.heading.made_at}",
            align="R",
            new_x="LMARGIN",
            new_y="NEXT",
        )


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _pdf_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def pdf(
    heading: Heading,
    tables: Sequence[tuple[str | None, list[str], list[list[Any]], Sequence[float], bool]],
    notes: Sequence[str],
) -> bytes:
    doc = ReportPdf(heading)
    doc.add_page()
    doc.head()
    for caption, header, rows, widths, total_last in tables:
        if caption:
            doc.set_font("cjk", doc.bold, 11)
            doc.cell(0, 8, caption, new_x="LMARGIN", new_y="NEXT")
        doc.table(header, rows, widths, total_last=total_last)
        doc.ln(4)
    doc.signature_block(notes)
    return bytes(doc.output())


def fen_text(fen: int | None) -> str:
    return format_fen(fen)
