"""Bulk import: the error report (CSV / XLSX) and the template."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from typing import Any

from catalog.importer.files import (
    COLUMNS,
    header_label,
)
from catalog.models import (
    ImportJob,
)
from yipin.i18n import bilingual

# ----------------------------------------------------------------------------- reports


ERROR_HEADERS = ["行号 row", "列 column", "表头 header", "内容 value", "错误", "error"]


def _error_rows(job: ImportJob) -> Iterator[list[Any]]:
    for e in job.errors:
        messages = e.get("messages", {})
        yield [
            e.get("row"),
            e.get("column", ""),
            e.get("header", ""),
            e.get("value", ""),
            messages.get("zh_CN", ""),
            messages.get("en", ""),
        ]


def errors_csv(job: ImportJob) -> bytes:
    """The error report as CSV in UTF-8 with a BOM (Excel opens it with the Chinese intact)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ERROR_HEADERS)
    writer.writerows(_error_rows(job))
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def _xlsx(
    sheets: list[tuple[str, list[str], Iterator[list[Any]] | list[list[Any]], list[int]]],
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook(write_only=True)
    for title, header, rows, widths in sheets:
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        for index, width in enumerate(widths):
            sheet.column_dimensions[_letter(index)].width = width
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for text in header:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="FFF3E6")
            cells.append(cell)
        sheet.append(cells)
        for row in rows:
            sheet.append([_safe_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _safe_cell(value: Any) -> Any:
    """Text that Excel would run as a formula is written as text (CSV/formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and len(value) > 1:
        return "'" + value
    return value


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def errors_xlsx(job: ImportJob) -> bytes:
    return _xlsx([("错误 errors", ERROR_HEADERS, _error_rows(job), [10, 18, 22, 24, 50, 50])])


def template_rows() -> list[list[str]]:
    """Example rows of the template; they start with ``#`` so they are never imported."""
    first = [c.example for c in COLUMNS]
    second = dict(zip([c.key for c in COLUMNS], first, strict=True))
    second.update(
        sku="XW-QC-10KG-1",
        grade="一等",
        spec="10 kg 70–75 mm",
        net_weight_g="10000",
        gross_weight_g="10800",
        price="99.00",
        list_price="",
        per_order_limit="",
        on_hand="120",
        product_name="",
        category="",
        brand="",
        grade_standard="",
        origin="",
        storage_class="",
        shelf_life_days="",
        sale_months="",
        presale_months="",
        subtitle="",
    )
    rows = [first, [second[c.key] for c in COLUMNS]]
    for row in rows:
        row[0] = "#" + row[0]
    return rows


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header_label(c) for c in COLUMNS])
    writer.writerows(template_rows())
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    notes = [
        [
            header_label(c),
            str(bilingual(c.en)["zh_CN"]),
            str(bilingual(c.en)["en"]),
            "✓" if c.required else "",
            c.example,
        ]
        for c in COLUMNS
    ]
    return _xlsx(
        [
            (
                "导入 import",
                [header_label(c) for c in COLUMNS],
                template_rows(),
                [max(12, len(header_label(c)) + 4) for c in COLUMNS],
            ),
            (
                "说明 notes",
                ["表头 header", "中文", "English", "新建必填 required", "示例 example"],
                notes,
                [26, 18, 22, 14, 26],
            ),
        ]
    )
