"""Bulk import of products, variants and stock from CSV or XLSX (批量导入). See ``IMPORT.md``.

One row per variant (SKU). Rows with the same product key make one product. Every row is checked
by the same actions as the portal (``catalog.actions.products``, ``fulfillment.actions``), inside
its own savepoint: a bad row is reported (row number as Excel shows it, column, bilingual message)
and never rolls back the good ones. The job commits its progress every ``IMPORT_COMMIT_EVERY``
rows; run twice (the outbox delivers at least once) it resumes where it stopped.

The file is recognised by its content, not its name: XLSX (a zip holding ``xl/workbook.xml``,
read with openpyxl in read-only mode), else text decoded as UTF-8 (with or without BOM), UTF-16
with BOM, or GB18030 (a superset of GBK, what Excel in China writes).
"""

from __future__ import annotations

from catalog.importer.files import (
    BY_KEY,
    COLUMNS,
    COMMIT_EVERY,
    FIELD_COLUMNS,
    HEADER_SEARCH_ROWS,
    MAX_BYTES,
    MAX_ROWS,
    MAX_UNZIPPED,
    PRODUCT_COLUMNS,
    STORAGE_WORDS,
    TOPIC,
    Column,
    DuplicateColumn,
    FileTooLarge,
    ImportFileError,
    NoHeaderRow,
    OldExcelFile,
    RowError,
    Table,
    TooManyRows,
    UnsupportedFile,
    cell_text,
    header_label,
    open_table,
    sniff,
)
from catalog.importer.jobs import import_dir, max_bytes, run_job, start_import
from catalog.importer.reports import (
    ERROR_HEADERS,
    errors_csv,
    errors_xlsx,
    template_csv,
    template_rows,
    template_xlsx,
)
from catalog.importer.rows import Lookups, Run, apply_row, parse_months, process_row

__all__ = [
    "BY_KEY",
    "COLUMNS",
    "COMMIT_EVERY",
    "ERROR_HEADERS",
    "FIELD_COLUMNS",
    "HEADER_SEARCH_ROWS",
    "MAX_BYTES",
    "MAX_ROWS",
    "MAX_UNZIPPED",
    "PRODUCT_COLUMNS",
    "STORAGE_WORDS",
    "TOPIC",
    "Column",
    "DuplicateColumn",
    "FileTooLarge",
    "ImportFileError",
    "Lookups",
    "NoHeaderRow",
    "OldExcelFile",
    "RowError",
    "Run",
    "Table",
    "TooManyRows",
    "UnsupportedFile",
    "apply_row",
    "cell_text",
    "errors_csv",
    "errors_xlsx",
    "header_label",
    "import_dir",
    "max_bytes",
    "open_table",
    "parse_months",
    "process_row",
    "run_job",
    "sniff",
    "start_import",
    "template_csv",
    "template_rows",
    "template_xlsx",
]
