"""Bulk import: the error report (CSV / XLSX) and the template."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from catalog.importer.files import (
    COLUMNS,
    header_label,
)
from catalog.models import (
    ImportJob,
)
from yipin import exports
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
    return exports.csv_bytes(ERROR_HEADERS, _error_rows(job))


def errors_xlsx(job: ImportJob) -> bytes:
    return exports.xlsx_bytes(
        [exports.Sheet("错误 errors", ERROR_HEADERS, _error_rows(job), [10, 18, 22, 24, 50, 50])]
    )


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
    return exports.csv_bytes([header_label(c) for c in COLUMNS], template_rows())


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
    return exports.xlsx_bytes(
        [
            exports.Sheet(
                "导入 import",
                [header_label(c) for c in COLUMNS],
                template_rows(),
                [max(12, len(header_label(c)) + 4) for c in COLUMNS],
            ),
            exports.Sheet(
                "说明 notes",
                ["表头 header", "中文", "English", "新建必填 required", "示例 example"],
                notes,
                [26, 18, 22, 14, 26],
            ),
        ]
    )
