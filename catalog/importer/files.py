"""Bulk import: the template's columns and reading a CSV / XLSX file (recognised by content)."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from catalog.models import (
    StorageClass,
)
from yipin.errors import DomainError
from yipin.i18n import _l

TOPIC = "catalog.import"
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_UNZIPPED = 256 * 1024 * 1024  # an XLSX that inflates past this is a zip bomb
COMMIT_EVERY = 200
HEADER_SEARCH_ROWS = 10


# ----------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: Any
    example: str
    required: bool = False  # needed on every row (SKU) or to create a product / variant


COLUMNS: list[Column] = [
    Column("product_key", "商品编码", _l("Product key"), "XW-QC-2026"),
    Column("product_name", "商品名称", _l("Product name"), "赣南脐橙 寻乌果园直发", True),
    Column("category", "类目", _l("Category"), "生鲜水果", True),
    Column("brand", "区域品牌", _l("Regional brand"), "赣南脐橙"),
    Column("grade_standard", "等级标准", _l("Grading standard"), "GB/T 21488-2008"),
    Column("origin", "产地区划代码", _l("Origin region code"), "360734100201", True),
    Column("storage_class", "储存方式", _l("Storage"), "常温"),
    Column("shelf_life_days", "保质期天数", _l("Shelf life (days)"), "30", True),
    Column("sale_months", "销售月份", _l("Months on sale"), "11,12,1,2"),
    Column("presale_months", "预售月份", _l("Pre-sale months"), "10"),
    Column("subtitle", "副标题", _l("Subtitle"), "果园直发 现摘现发"),
    Column("sku", "SKU", _l("SKU"), "XW-QC-5KG-T", True),
    Column("grade", "等级", _l("Grade"), "特等"),
    Column("spec", "规格", _l("Specification"), "5 kg 75–80 mm", True),
    Column("net_weight_g", "净重克", _l("Net weight (g)"), "5000", True),
    Column("gross_weight_g", "毛重克", _l("Gross weight (g)"), "5600", True),
    Column("price", "售价元", _l("Price (yuan)"), "69.80", True),
    Column("list_price", "划线价元", _l("List price (yuan)"), "88.00"),
    Column("per_order_limit", "每单限购", _l("Per-order limit"), "5"),
    Column("warehouse_code", "仓库编码", _l("Warehouse code"), "XW-ORIGIN-01"),
    Column("on_hand", "库存数量", _l("Units on hand"), "200"),
]
BY_KEY = {c.key: c for c in COLUMNS}
PRODUCT_COLUMNS = [
    "product_name",
    "category",
    "brand",
    "grade_standard",
    "origin",
    "storage_class",
    "shelf_life_days",
    "sale_months",
    "presale_months",
    "subtitle",
]
# DomainError.field of the actions → the column to blame
FIELD_COLUMNS = {
    "name": "product_name",
    "category_id": "category",
    "brand_id": "brand",
    "grade_standard_id": "grade_standard",
    "origin_region_code": "origin",
    "storage_class": "storage_class",
    "shelf_life_days": "shelf_life_days",
    "sale_months": "sale_months",
    "presale_months": "presale_months",
    "subtitle": "subtitle",
    "sku": "sku",
    "grade_id": "grade",
    "spec": "spec",
    "net_weight_g": "net_weight_g",
    "gross_weight_g": "gross_weight_g",
    "price_fen": "price",
    "list_price_fen": "list_price",
    "per_order_limit": "per_order_limit",
    "warehouse_id": "warehouse_code",
    "on_hand": "on_hand",
}
STORAGE_WORDS = {
    "常温": StorageClass.AMBIENT,
    "ambient": StorageClass.AMBIENT,
    "冷藏": StorageClass.CHILLED,
    "冷鲜": StorageClass.CHILLED,
    "chilled": StorageClass.CHILLED,
    "冷冻": StorageClass.FROZEN,
    "frozen": StorageClass.FROZEN,
}


def header_label(column: Column) -> str:
    """How the template spells a column's header: ``*商品名称 product_name``."""
    return f"{'*' if column.required else ''}{column.zh} {column.key}"


def _header_key(text: str) -> str | None:
    """The column a header cell names: its English key, Chinese name or English label."""
    raw = unicodedata.normalize("NFKC", text).strip().lstrip("*").strip()
    lowered = raw.lower()
    for token in re.findall(r"[a-z_]+", lowered):
        if token in BY_KEY:
            return token
    if lowered.replace(" ", "_") in BY_KEY:
        return lowered.replace(" ", "_")
    chinese = re.sub(r"[\sA-Za-z_*()（）/]+", "", raw)
    for column in COLUMNS:
        if chinese and chinese == re.sub(r"[\sA-Za-z_*()（）/]+", "", column.zh):
            return column.key
        if lowered == str(column.en).lower():
            return column.key
    if lowered == "sku":
        return "sku"
    return None


# ----------------------------------------------------------------------------- file errors


class ImportFileError(DomainError):
    status = 422
    code = "import_file_invalid"
    message = _l("The file could not be read.")


class UnsupportedFile(ImportFileError):
    status = 415
    code = "import_file_unsupported"
    message = _l(
        "Upload a CSV file (UTF-8 or GBK) or an Excel workbook (.xlsx); this file is neither."
    )


class OldExcelFile(UnsupportedFile):
    message = _l(
        "This is an old Excel .xls file (or a password-protected workbook). "
        "Save it as .xlsx or CSV and upload again."
    )


class FileTooLarge(ImportFileError):
    status = 413
    code = "import_file_too_large"
    message = _l("The file is larger than %(mb)s MB. Split it into several files.")


class NoHeaderRow(ImportFileError):
    code = "import_no_header"
    message = _l(
        "No header row with the template's columns (at least SKU) was found in the first "
        "%(n)s rows. Download the template and keep its header row."
    )


class DuplicateColumn(ImportFileError):
    code = "import_duplicate_column"
    message = _l("The column %(column)s appears twice in the header row.")


class TooManyRows(ImportFileError):
    code = "import_too_many_rows"
    message = _l("The file has more than %(n)s rows. Split it into several files.")


class RowError(DomainError):
    """A problem with one cell of one row."""

    code = "invalid_cell"


# ----------------------------------------------------------------------------- reading


def cell_text(value: Any) -> str:
    """A cell as the text the user sees (Excel numbers without a spurious ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, int):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).replace("\u3000", " ").replace("\ufeff", "").strip()


@dataclass
class Table:
    """A sheet of rows: the header's columns and an iterator over the data rows."""

    kind: str  # "csv" | "xlsx"
    columns: dict[str, int]
    headers: dict[str, str]  # key → header text as in the file
    header_line: int
    _rows: Callable[[], Iterator[tuple[int, list[Any]]]]

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(Excel row number, {column key: text}) of each data row; blank and ``#`` rows skipped."""
        for line, raw in self._rows():
            if line <= self.header_line:
                continue
            cells = [cell_text(v) for v in raw]
            if not any(cells):
                continue
            first = next(c for c in cells if c)
            if first.startswith("#"):
                continue
            yield (
                line,
                {key: (cells[i] if i < len(cells) else "") for key, i in self.columns.items()},
            )

    def count(self) -> int:
        return sum(1 for _ in self.rows())


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise UnsupportedFile()


def _csv_rows(text: str) -> Callable[[], Iterator[tuple[int, list[Any]]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", "\t", ";"], key=first_line.count)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        yield from enumerate(reader, start=1)

    return rows


def _xlsx_rows(data: bytes) -> Callable[[], Iterator[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise UnsupportedFile(_l("The Excel file is damaged and could not be read.")) from exc
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # trust the rows, not a stale <dimension> element
            yield from enumerate(sheet.iter_rows(values_only=True), start=1)
        finally:
            workbook.close()

    return rows


SNIFF_BYTES = 64 * 1024


def sniff(data: bytes, *, max_bytes: int = MAX_BYTES) -> str:
    """What the upload request checks before it stores the file, without reading a row: its
    size, and that it is an XLSX (by its zip directory, whose inflated size must stay under
    ``MAX_UNZIPPED``) or text (by its first ``SNIFF_BYTES``). Returns "csv" or "xlsx"; raises
    ``ImportFileError``. The header row and every row are read by the job (``open_table``)."""
    if len(data) > max_bytes:
        raise FileTooLarge(mb=max_bytes // (1024 * 1024))
    if not data.strip():
        raise NoHeaderRow(n=HEADER_SEARCH_ROWS)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise OldExcelFile()
    if data.startswith(b"PK\x03\x04"):
        _check_zip(data, max_bytes)
        return "xlsx"
    head = data[:SNIFF_BYTES]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "csv"
    if b"\x00" in head:
        raise UnsupportedFile()
    for encoding in ("utf-8-sig", "gb18030"):
        try:  # the cut may fall inside a character: an incremental decoder forgives that
            codecs.getincrementaldecoder(encoding)().decode(head, final=len(data) <= SNIFF_BYTES)
        except UnicodeDecodeError:
            continue
        return "csv"
    raise UnsupportedFile()


def _check_zip(data: bytes, max_bytes: int) -> None:
    """An XLSX by its zip directory (nothing is inflated)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise UnsupportedFile() from exc
    if "xl/workbook.xml" not in names:
        raise UnsupportedFile()
    if inflated > MAX_UNZIPPED:
        raise FileTooLarge(mb=max_bytes // (1024 * 1024))


def open_table(data: bytes, *, max_bytes: int = MAX_BYTES) -> Table:
    """Recognise the file by its content and find its header row. Raises ``ImportFileError``."""
    if len(data) > max_bytes:
        raise FileTooLarge(mb=max_bytes // (1024 * 1024))
    if not data.strip():
        raise NoHeaderRow(n=HEADER_SEARCH_ROWS)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise OldExcelFile()
    if data.startswith(b"PK\x03\x04"):
        _check_zip(data, max_bytes)
        kind, rows = "xlsx", _xlsx_rows(data)
    else:
        kind, rows = "csv", _csv_rows(_decode(data))
    for line, raw in rows():
        if line > HEADER_SEARCH_ROWS:
            break
        columns: dict[str, int] = {}
        headers: dict[str, str] = {}
        for index, value in enumerate(raw):
            text = cell_text(value)
            key = _header_key(text) if text else None
            if key is None:
                continue
            if key in columns:
                raise DuplicateColumn(column=text)
            columns[key] = index
            headers[key] = text
        if "sku" in columns:
            return Table(kind, columns, headers, line, rows)
    raise NoHeaderRow(n=HEADER_SEARCH_ROWS)
