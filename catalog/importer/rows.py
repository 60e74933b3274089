"""Bulk import: parsing a row's cells and applying it through the catalog and stock actions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog import actions as catalog_actions
from catalog.importer.files import (
    BY_KEY,
    FIELD_COLUMNS,
    PRODUCT_COLUMNS,
    STORAGE_WORDS,
    RowError,
    header_label,
)
from catalog.models import (
    Category,
    Grade,
    GradeStandard,
    ImportJob,
    Product,
    RegionalBrand,
    StorageClass,
    Variant,
)
from fulfillment import actions as stock_actions
from fulfillment import queries as stock_queries
from yipin.accounts.models import User
from yipin.errors import DomainError
from yipin.i18n import _l
from yipin.money import MoneyError, parse_yuan
from yipin.regions.models import Region

# ----------------------------------------------------------------------------- parsing cells


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _int(text: str, column: str, *, minimum: int = 0) -> int:
    raw = _nfkc(text).replace(",", "")
    try:
        value = Decimal(raw)
        if value != value.to_integral_value():
            raise ValueError
        number = int(value)
    except (ArithmeticError, ValueError) as exc:
        raise RowError(
            _l("Give a whole number (got %(value)s)."), field=column, value=text
        ) from exc
    if number < minimum:
        raise RowError(
            _l("Give a whole number of at least %(min)s (got %(value)s)."),
            field=column,
            value=text,
            min=minimum,
        )
    return number


def _money(text: str, column: str) -> int:
    try:
        return parse_yuan(_nfkc(text))
    except MoneyError as exc:
        raise RowError(
            _l("Give an amount in yuan, at least 0 and with at most two decimals (e.g. 69.80)."),
            field=column,
        ) from exc


def parse_months(text: str, column: str) -> list[int]:
    """``11,12,1,2`` / ``11，12，1，2`` / ``11月、12月`` / ``11-2`` (wrapping) / ``全年``."""
    raw = _nfkc(text).replace("月", "").replace("、", ",").replace(" ", ",")
    if raw in ("全年", "all", "1-12"):
        return list(range(1, 13))
    months: list[int] = []
    for part in filter(None, raw.split(",")):
        bounds = part.split("-")
        try:
            numbers = [int(b) for b in bounds]
        except ValueError as exc:
            raise RowError(
                _l("Months are numbers from 1 to 12, e.g. 11,12,1,2 or 11-2."), field=column
            ) from exc
        if len(numbers) > 2 or any(n < 1 or n > 12 for n in numbers):
            raise RowError(
                _l("Months are numbers from 1 to 12, e.g. 11,12,1,2 or 11-2."), field=column
            )
        if len(numbers) == 1:
            months.append(numbers[0])
        else:
            start, end = numbers
            n = start
            while True:
                months.append(n)
                if n == end:
                    break
                n = n % 12 + 1
    return sorted(set(months))


@dataclass
class Lookups:
    """Reference data of one import, loaded once (categories, brands, standards, grades…)."""

    session: Session
    supplier_id: int
    categories: dict[str, int] = field(default_factory=dict)
    category_storage: dict[int, StorageClass] = field(default_factory=dict)
    brands: dict[str, int] = field(default_factory=dict)
    standards: dict[str, int] = field(default_factory=dict)
    grades: dict[tuple[int, str], int] = field(default_factory=dict)
    grades_anywhere: dict[str, int] = field(default_factory=dict)
    regions: dict[str, bool] = field(default_factory=dict)
    warehouses: dict[str, int] = field(default_factory=dict)
    # strong references keep the rows in the session's identity map: the actions' session.get()
    # of a category, standard, grade or warehouse then costs no query
    keep: list[Any] = field(default_factory=list)

    @staticmethod
    def _norm(text: str) -> str:
        return re.sub(r"[\s—–_]+", "", _nfkc(text).replace("—", "-")).lower()

    def load(self) -> Lookups:
        s = self.session
        self.keep = [
            *s.scalars(sa.select(Category)),
            *s.scalars(sa.select(RegionalBrand)),
            *s.scalars(sa.select(GradeStandard)),
            *s.scalars(sa.select(Grade)),
        ]
        for c in s.scalars(sa.select(Category)):
            for name in (c.slug, c.name, c.name_en):
                if name:
                    self.categories[self._norm(name)] = c.id
            self.category_storage[c.id] = c.default_storage_class
        for b in s.scalars(sa.select(RegionalBrand)):
            for name in (b.slug, b.name, b.name_en):
                if name:
                    self.brands[self._norm(name)] = b.id
        for st in s.scalars(sa.select(GradeStandard)):
            for name in (st.code, st.title):
                self.standards[self._norm(name)] = st.id
        for g in s.scalars(sa.select(Grade)):
            for name in (g.code, g.name, g.name_en):
                if name:
                    self.grades[(g.standard_id, self._norm(name))] = g.id
                    self.grades_anywhere.setdefault(self._norm(name), g.id)
        for w in stock_queries.stock_warehouses(s, self.supplier_id):
            self.warehouses[w.code.upper()] = w.id
            self.keep.append(w)
        return self

    def find(self, table: dict[str, int], text: str, column: str, what: Any) -> int:
        found = table.get(self._norm(text))
        if found is None:
            raise RowError(_l("Unknown %(what)s: %(value)s."), field=column, what=what, value=text)
        return found

    def region(self, text: str) -> str:
        code = _nfkc(text)
        if code not in self.regions:
            self.regions[code] = (
                code.isdigit()
                and self.session.get(Region, code, populate_existing=False) is not None
            )
        if not self.regions[code]:
            raise RowError(
                _l("Unknown region code %(value)s: give the 6 to 12-digit code (e.g. 360734)."),
                field="origin",
                value=text,
            )
        return code

    def grade(self, standard_id: int | None, text: str) -> int:
        key = self._norm(text)
        if standard_id is not None and (standard_id, key) in self.grades:
            return self.grades[(standard_id, key)]
        if key in self.grades_anywhere:  # the action explains why it does not fit
            return self.grades_anywhere[key]
        standard = self.session.get(GradeStandard, standard_id) if standard_id else None
        from catalog.errors import GradeNotInStandard

        raise GradeNotInStandard(standard=standard.code if standard else "—", field="grade_id")


# ----------------------------------------------------------------------------- applying rows


@dataclass
class Run:
    """State of one import run: what exists already and what earlier rows created."""

    session: Session
    actor: User
    job: ImportJob
    lookups: Lookups
    skus: dict[str, int]  # SKU → variant id (the supplier's, kept up to date)
    names: dict[str, list[int]]  # product name → ids
    products: dict[str, int] = field(default_factory=dict)  # product key → id, this run
    first_rows: dict[str, tuple[int, dict[str, str]]] = field(default_factory=dict)
    seen_skus: dict[str, int] = field(default_factory=dict)  # SKU → row, this run


def _product_fields(
    run: Run, cells: dict[str, str], base: catalog_actions.ProductDraft | None
) -> Any:
    """A ProductDraft: ``base`` (an existing product's) overridden by the row's product cells."""
    lk = run.lookups
    given = {k: cells.get(k, "") for k in PRODUCT_COLUMNS if cells.get(k, "")}
    if base is None:
        missing = [
            k for k in ("product_name", "category", "origin", "shelf_life_days") if k not in given
        ]
        if missing:
            raise RowError(
                _l("A new product needs this column (or a row above with the same product key)."),
                field=missing[0],
            )
    draft = base or catalog_actions.ProductDraft(
        category_id=0, name="", origin_region_code="", shelf_life_days=0
    )
    if "product_name" in given:
        draft.name = given["product_name"]
    if "category" in given:
        draft.category_id = lk.find(lk.categories, given["category"], "category", _l("category"))
        if base is None:
            draft.storage_class = lk.category_storage[draft.category_id]
    if "brand" in given:
        draft.brand_id = lk.find(lk.brands, given["brand"], "brand", _l("regional brand"))
    if "grade_standard" in given:
        draft.grade_standard_id = lk.find(
            lk.standards, given["grade_standard"], "grade_standard", _l("grading standard")
        )
    if "origin" in given:
        draft.origin_region_code = lk.region(given["origin"])
    if "storage_class" in given:
        storage = STORAGE_WORDS.get(_nfkc(given["storage_class"]).lower())
        if storage is None:
            raise RowError(
                _l("Storage is 常温, 冷藏 or 冷冻 (ambient, chilled or frozen)."),
                field="storage_class",
            )
        draft.storage_class = storage
    if "shelf_life_days" in given:
        draft.shelf_life_days = _int(given["shelf_life_days"], "shelf_life_days", minimum=1)
    if "sale_months" in given:
        draft.sale_months = parse_months(given["sale_months"], "sale_months")
    if "presale_months" in given:
        draft.presale_months = parse_months(given["presale_months"], "presale_months")
    if "subtitle" in given:
        draft.subtitle = given["subtitle"][:200]
    return draft


def _draft_of(product: Product) -> catalog_actions.ProductDraft:
    return catalog_actions.ProductDraft(
        **{name: getattr(product, name) for name in catalog_actions.PRODUCT_CONTENT}
    )


def _variant_draft(
    run: Run, cells: dict[str, str], standard_id: int | None, base: Variant | None
) -> Any:
    if base is None:
        missing = [
            k for k in ("spec", "net_weight_g", "gross_weight_g", "price") if not cells.get(k)
        ]
        if missing:
            raise RowError(_l("A new variant needs this column."), field=missing[0])
        draft = catalog_actions.VariantDraft(
            sku=cells["sku"], spec="", net_weight_g=0, gross_weight_g=0, price_fen=0
        )
    else:
        draft = catalog_actions.VariantDraft(
            **{
                f: getattr(base, f)
                for f in catalog_actions.VARIANT_CONTENT | catalog_actions.VARIANT_COMMERCIAL
            }
        )
    if cells.get("spec"):
        draft.spec = cells["spec"]
    if cells.get("net_weight_g"):
        draft.net_weight_g = _int(cells["net_weight_g"], "net_weight_g", minimum=1)
    if cells.get("gross_weight_g"):
        draft.gross_weight_g = _int(cells["gross_weight_g"], "gross_weight_g", minimum=1)
    if cells.get("price"):
        draft.price_fen = _money(cells["price"], "price")
    if cells.get("list_price"):
        draft.list_price_fen = _money(cells["list_price"], "list_price")
    if cells.get("per_order_limit"):
        draft.per_order_limit = _int(cells["per_order_limit"], "per_order_limit", minimum=1)
    if cells.get("grade"):
        draft.grade_id = run.lookups.grade(standard_id, cells["grade"])
    return draft


def _check_consistent(run: Run, key: str, line: int, cells: dict[str, str]) -> None:
    """Rows of one product must not disagree on its columns (blank cells are fine)."""
    first = run.first_rows.get(key)
    if first is None:
        return
    first_line, first_cells = first
    for column in PRODUCT_COLUMNS:
        mine, theirs = cells.get(column, ""), first_cells.get(column, "")
        if mine and theirs and mine != theirs:
            raise RowError(
                _l("Row %(row)s gives this product another value: %(value)s."),
                field=column,
                row=first_line,
                value=theirs,
            )


def apply_row(run: Run, line: int, cells: dict[str, str]) -> dict[str, Any]:
    """Create or update the row's product, variant and stock. Returns what to remember."""
    s, actor = run.session, run.actor
    sku = cells.get("sku", "")
    variant_id = run.skus.get(sku)
    key = cells.get("product_key") or cells.get("product_name", "")
    _check_consistent(run, key, line, cells)
    product: Product | None = None
    if variant_id is not None:
        product = s.get(Variant, variant_id).product  # type: ignore[union-attr]
    elif key and key in run.products:
        product = s.get(Product, run.products[key])
    elif cells.get("product_name") and len(run.names.get(cells["product_name"], [])) == 1:
        product = s.get(Product, run.names[cells["product_name"]][0])
    created = False
    if product is None:
        draft = _product_fields(run, cells, None)
        product = catalog_actions.create_product(s, actor, run.job.supplier_id, draft)
        created = True
    elif key not in run.products and any(cells.get(k) for k in PRODUCT_COLUMNS):
        draft = _product_fields(run, cells, _draft_of(product))
        if any(getattr(product, n) != getattr(draft, n) for n in catalog_actions.PRODUCT_CONTENT):
            catalog_actions.update_product(s, actor, product.id, draft)  # content: back to review
    if variant_id is None:
        vdraft = _variant_draft(run, cells, product.grade_standard_id, None)
        variant = catalog_actions.add_variant(s, actor, product.id, vdraft)
    else:
        variant = s.get(Variant, variant_id)  # type: ignore[assignment]
        vdraft = _variant_draft(run, cells, product.grade_standard_id, variant)
        changed = {
            n for n in ("price_fen", "list_price_fen") if getattr(vdraft, n) != getattr(variant, n)
        }
        others = any(
            getattr(vdraft, n) != getattr(variant, n)
            for n in (catalog_actions.VARIANT_CONTENT | catalog_actions.VARIANT_COMMERCIAL)
            - changed
        )
        if others:
            catalog_actions.update_variant(s, actor, variant.id, vdraft)
        elif changed:  # price only: never a new review
            catalog_actions.set_price(s, actor, variant.id, vdraft.price_fen, vdraft.list_price_fen)
    code, units = cells.get("warehouse_code", ""), cells.get("on_hand", "")
    if code or units:
        if not code:
            raise RowError(_l("Say which warehouse holds the stock."), field="warehouse_code")
        if not units:
            raise RowError(_l("Give the units on hand in this warehouse."), field="on_hand")
        warehouse_id = run.lookups.warehouses.get(_nfkc(code).upper())
        if warehouse_id is None:
            raise RowError(
                _l("No warehouse with the code %(value)s where you may keep stock."),
                field="warehouse_code",
                value=code,
            )
        stock_actions.import_stock(
            s,
            actor,
            variant.id,
            warehouse_id,
            _int(units, "on_hand"),
            reason=f"import #{run.job.id}",
        )
    return {
        "key": key,
        "product_id": product.id,
        "sku": sku,
        "variant_id": variant.id,
        "created_product": created,
        "name": product.name,
    }


def _error(
    line: int, exc: DomainError, cells: dict[str, str], headers: dict[str, str]
) -> dict[str, Any]:
    column = FIELD_COLUMNS.get(exc.field or "", exc.field or "")
    return {
        "row": line,
        "column": column,
        "header": headers.get(column) or (header_label(BY_KEY[column]) if column in BY_KEY else ""),
        "value": (cells.get(column) or "")[:100],
        "code": exc.code,
        "messages": exc.texts(),
    }


def process_row(
    run: Run, line: int, cells: dict[str, str], headers: dict[str, str]
) -> dict[str, Any] | None:
    """Apply one row in its own savepoint; return its error (or None)."""
    sku = cells.get("sku", "")
    try:
        if not sku:
            raise RowError(_l("Every row needs a SKU."), field="sku")
        if sku in run.seen_skus:
            raise RowError(
                _l("The SKU %(value)s is already in row %(row)s of this file."),
                field="sku",
                value=sku,
                row=run.seen_skus[sku],
            )
        with run.session.begin_nested():
            done = apply_row(run, line, cells)
    except DomainError as exc:
        return _error(line, exc, cells, headers)
    except IntegrityError:  # a rule the database knows and the actions missed
        return _error(line, RowError(_l("The row conflicts with existing data.")), cells, headers)
    run.seen_skus[sku] = line
    run.skus[sku] = done["variant_id"]
    if done["key"] and done["key"] not in run.products:
        run.products[done["key"]] = done["product_id"]
        run.first_rows[done["key"]] = (line, cells)
    if done["created_product"]:
        run.names.setdefault(done["name"], []).append(done["product_id"])
    return None
