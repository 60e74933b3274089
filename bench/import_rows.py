"""Benchmark the bulk import: a 10,000-row file imported on the embedded SQLite path and, when
``YIPIN_BENCH_DATABASE_URL`` is set, on PostgreSQL. Prints rows/second and peak Python memory
(the process's peak RSS, or with ``--tracemalloc`` the peak Python heap, which slows the run).
Figures only, no assertions.

    .venv/bin/python bench/import_rows.py [--rows 10000] [--format csv|xlsx|both]
        [--databases sqlite,postgresql]
    YIPIN_BENCH_DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/import_rows.py

The PostgreSQL database must be one you may write to: the schema is migrated to head and a
benchmark supplier is added (a fresh one per run).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import secrets
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TRACE_MEMORY = False
GRADES = ["特等", "一等", "二等", "特等"]
SIZES = ["75–80 mm", "70–75 mm", "65–70 mm", "80–85 mm"]
HEADER = [
    "商品编码 product_key",
    "*商品名称 product_name",
    "*类目 category",
    "区域品牌 brand",
    "等级标准 grade_standard",
    "*产地区划代码 origin",
    "储存方式 storage_class",
    "*保质期天数 shelf_life_days",
    "销售月份 sale_months",
    "*SKU sku",
    "等级 grade",
    "*规格 spec",
    "*净重克 net_weight_g",
    "*毛重克 gross_weight_g",
    "*售价元 price",
    "划线价元 list_price",
    "每单限购 per_order_limit",
    "仓库编码 warehouse_code",
    "库存数量 on_hand",
]


def rows(n: int, tag: str, warehouse: str) -> list[list[object]]:
    """``n`` rows: navel-orange products of four variants each, stocked in one warehouse."""
    out: list[list[object]] = []
    for i in range(n):
        p, v = divmod(i, 4)
        out.append(
            [
                f"{tag}-P{p:05d}",
                f"赣南脐橙 寻乌果园{p}号",
                "生鲜水果",
                "赣南脐橙",
                "GB/T 21488-2008",
                "360734100201",
                "常温",
                30,
                "11,12,1,2",
                f"{tag}-{p:05d}-{v}",
                GRADES[v],
                f"5 kg {SIZES[v]}",
                5000,
                5600,
                f"{59 + v * 5}.80",
                "",
                "",
                warehouse,
                100 + v,
            ]
        )
    return out


def file_bytes(data: list[list[object]], kind: str) -> bytes:
    if kind == "csv":
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(HEADER)
        writer.writerows(data)
        return text.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for row in data:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def setup_world(db, tag: str):  # type: ignore[no-untyped-def]
    """A verified supplier with its owner, a brand authorisation and an origin warehouse."""
    import sqlalchemy as sa

    from catalog.models import RegionalBrand, StorageClass
    from catalog.reference import load_reference
    from fulfillment.models import Warehouse, WarehouseKind
    from suppliers import uscc
    from suppliers.models import BrandAuthorisation, Supplier, SupplierKind, SupplierStatus
    from yipin.accounts.models import Role, SupplierRole, User

    load_reference(db.session)
    org = f"{secrets.randbelow(10**8):08d}"
    supplier = Supplier(
        name=f"寻乌县基准测试合作社 {tag}",
        kind=SupplierKind.COOPERATIVE,
        uscc=uscc.make(f"93360734{org}X"),
        legal_representative="刘建华",
        contact_name="刘建华",
        contact_phone="13907970000",
        region_code="360734100201",
        registered_on=date(2015, 6, 1),
        status=SupplierStatus.VERIFIED,
    )
    db.session.add(supplier)
    db.session.flush()
    owner = User(
        phone=f"139{secrets.randbelow(10**8):08d}",
        password_hash="x",
        display_name="基准",
        role=Role.SUPPLIER,
        supplier_id=supplier.id,
        supplier_role=SupplierRole.OWNER,
    )
    brand = db.session.scalars(
        sa.select(RegionalBrand).where(RegionalBrand.slug == "gannan-navel-orange")
    ).one()
    db.session.add_all(
        [
            owner,
            BrandAuthorisation(
                supplier_id=supplier.id,
                brand_id=brand.id,
                valid_from=date(2024, 1, 1),
                valid_to=date(2035, 12, 31),
            ),
            Warehouse(
                code=f"BENCH-{tag}",
                name="基准产地仓",
                kind=WarehouseKind.ORIGIN,
                region_code="360734100",
                cold_capability=StorageClass.CHILLED,
                supplier_id=supplier.id,
            ),
        ]
    )
    db.session.commit()
    return supplier, owner


def bench(label: str, url: str, n: int, kinds: list[str]) -> None:
    os.environ["YIPIN_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="yipin-bench-")
    from flask_migrate import upgrade

    from wsgi import create_app
    from yipin.db import db

    app = create_app({"DATABASE_URL": url, "REDIS_URL": None, "ELASTICSEARCH_URL": None})
    with app.app_context():
        upgrade(revision="heads")
        if (
            db.engine.dialect.name == "sqlite"
            or not db.session.execute(db.text("SELECT 1 FROM regions LIMIT 1")).first()
        ):
            from yipin.regions.loader import load_regions

            load_regions(db.session)
            db.session.commit()
        from catalog import importer

        for kind in kinds:
            tag = secrets.token_hex(3).upper()
            supplier, owner = setup_world(db, tag)
            data = file_bytes(rows(n, tag, f"BENCH-{tag}"), kind)
            job = importer.start_import(
                db.session, owner, supplier.id, f"bench.{kind}", data, enqueue=False
            )
            db.session.commit()
            if TRACE_MEMORY:
                tracemalloc.start()
            started = time.perf_counter()
            importer.run_job(job.id)
            elapsed = time.perf_counter() - started
            if TRACE_MEMORY:
                _current, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                memory = f"peak Python heap {peak / 2**20:6.1f} MiB"
            else:
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                memory = f"peak RSS {rss:6.1f} MiB"
            db.session.expire_all()
            job = db.session.get(type(job), job.id)
            print(
                f"{label:10} {kind:4}  {job.imported_rows:6d} rows imported "
                f"({job.error_rows} errors) in {elapsed:6.1f} s  "
                f"= {job.imported_rows / elapsed:7.1f} rows/s   "
                f"{memory}   file {len(data) / 2**20:.1f} MiB",
                flush=True,
            )
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=["csv", "xlsx", "both"], default="csv")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="Report the peak Python heap (slows the import down; the rate is then a lower bound).",
    )
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="Comma-separated: sqlite, postgresql."
    )
    args = parser.parse_args()
    global TRACE_MEMORY
    TRACE_MEMORY = args.tracemalloc
    kinds = ["csv", "xlsx"] if args.format == "both" else [args.format]
    wanted = {d.strip() for d in args.databases.split(",")}
    print(f"bulk import benchmark: {args.rows} rows per file (4 variants per product)")
    if "sqlite" in wanted:
        sqlite = Path(tempfile.mkdtemp(prefix="yipin-bench-db-")) / "bench.sqlite3"
        bench("sqlite", f"sqlite:///{sqlite}", args.rows, kinds)
    pg = os.environ.get("YIPIN_BENCH_DATABASE_URL")
    if "postgresql" not in wanted:
        pass
    elif pg:
        bench("postgresql", pg, args.rows, kinds)
    else:
        print("postgresql: skipped (set YIPIN_BENCH_DATABASE_URL)")


if __name__ == "__main__":
    main()
