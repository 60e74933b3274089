"""Printed documents of a parcel (fpdf2, the CJK font the 合格证 uses): the pick list (拣货单:
where each unit lies, which batch to take), the packing slip (装箱单: what is in the box, each
line's batch with its 合格证 number and the QR code of its traceability page) and a simple
waybill label for manual carriers."""

from __future__ import annotations

from typing import Any

import segno
import sqlalchemy as sa
from fpdf import FPDF
from sqlalchemy.orm import Session

from catalog.models import Batch
from catalog.trace.pdf import _draw_qr, _fonts
from fulfillment.models import Stock
from fulfillment.routing.models import FulfillmentOrder
from orders.models import Order, OrderLine
from suppliers.models import Supplier
from yipin import clock
from yipin.regions.models import Region


def facts_of(session: Session, fo: FulfillmentOrder) -> dict[str, Any]:
    """Everything printed about a parcel, read in a handful of queries."""
    from catalog.trace.views import trace_url

    order = session.get(Order, fo.order_id)
    assert order is not None
    supplier = session.get(Supplier, fo.supplier_id)
    region = session.get(Region, order.region_code)
    lines = {
        line.id: line
        for line in session.scalars(
            sa.select(OrderLine).where(
                OrderLine.id.in_([fl.order_line_id for fl in fo.lines] or [0])
            )
        )
    }
    batches = {
        b.id: b
        for b in session.scalars(
            sa.select(Batch).where(
                Batch.id.in_([fl.batch_id for fl in fo.lines if fl.batch_id] or [0])
            )
        )
    }
    stock = {
        s.id: s
        for s in session.scalars(
            sa.select(Stock).where(Stock.id.in_([fl.stock_id for fl in fo.lines] or [0]))
        )
    }
    rows = []
    for fl in fo.lines:
        line = lines[fl.order_line_id]
        batch = batches.get(fl.batch_id) if fl.batch_id else None
        rows.append(
            {
                "product": line.product_name,
                "spec": line.variant_spec,
                "sku": line.variant_sku,
                "quantity": fl.quantity,
                "batch_code": batch.code if batch else "",
                "certificate": batch.certificate_number if batch else "",
                "trace_url": trace_url(batch.code) if batch else "",
                "place": stock[fl.stock_id].warehouse.code if fl.stock_id in stock else "",
            }
        )
    shipment = fo.shipment
    return {
        "number": fo.number,
        "sub_order": fo.number.rsplit("-F", 1)[0],
        "supplier": supplier.name if supplier else "",
        "warehouse": f"{fo.warehouse.name}（{fo.warehouse.code}）",
        "warehouse_address": f"{fo.warehouse.region.full_name}{fo.warehouse.address_detail}",
        "carrier": fo.service.name,
        "waybill": shipment.waybill_number if shipment and shipment.waybill_number else "",
        "recipient": order.recipient_name,
        "phone": order.recipient_phone,
        "address": f"{region.full_name if region else order.region_code}{order.address_detail}",
        "storage": str(fo.storage_class),
        "weight_g": fo.weight_g,
        "lines": rows,
        "printed": clock.to_local(clock.now()).strftime("%Y-%m-%d %H:%M"),
    }


STORAGE_ZH = {"ambient": "常温", "chilled": "冷藏 0–4℃", "frozen": "冷冻 −18℃"}


def _doc(title: str) -> tuple[FPDF, str]:
    regular, bold = _fonts()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator("Yipin")
    pdf.set_margins(14, 14, 14)
    pdf.set_auto_page_break(True, 14)
    pdf.add_font("cjk", "", regular.path, collection_font_number=regular.index)
    style = ""
    if bold is not None:
        pdf.add_font("cjk", "B", bold.path, collection_font_number=bold.index)
        style = "B"
    pdf.add_page()
    return pdf, style


def _head(pdf: FPDF, bold: str, title: str, facts: dict[str, Any]) -> None:
    pdf.set_font("cjk", bold, 18)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", "", 10)
    for left, right in (
        (f"发货单 {facts['number']}", f"子订单 {facts['sub_order']}"),
        (f"供应商 {facts['supplier']}", f"仓库 {facts['warehouse']}"),
        (f"承运 {facts['carrier']}", f"运单号 {facts['waybill'] or '（待录入）'}"),
        (
            f"温层 {STORAGE_ZH.get(facts['storage'], facts['storage'])}",
            f"重量 {facts['weight_g'] / 1000:.2f} kg",
        ),
        (f"收件人 {facts['recipient']} {facts['phone']}", f"打印时间 {facts['printed']}"),
    ):
        pdf.cell(91, 6, left)
        pdf.cell(0, 6, right, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, f"地址 {facts['address']}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def pick_list_pdf(facts: dict[str, Any]) -> bytes:
    """拣货单: a line per product and batch, with where it lies and a box to tick."""
    pdf, bold = _doc(f"拣货单 {facts['number']}")
    _head(pdf, bold, "拣货单 Pick list", facts)
    widths = (62, 26, 14, 36, 30, 14)
    pdf.set_font("cjk", bold, 10)
    for width, text in zip(
        widths, ("商品", "规格", "数量", "批次（先到期先出）", "库位", "已拣"), strict=True
    ):
        pdf.cell(width, 8, text, border=1)
    pdf.ln()
    pdf.set_font("cjk", "", 10)
    for row in facts["lines"]:
        cells = (
            row["product"][:22],
            row["spec"][:10],
            str(row["quantity"]),
            row["batch_code"] or "—",
            row["place"],
            "",
        )
        y = pdf.get_y()
        for width, text in zip(widths, cells, strict=True):
            pdf.cell(width, 8, text, border=1)
        pdf.rect(14 + sum(widths[:-1]) + 4.5, y + 2, 4, 4)  # the box to tick
        pdf.ln()
    return bytes(pdf.output())


def packing_slip_pdf(facts: dict[str, Any]) -> bytes:
    """装箱单: each line with its batch, 合格证 number and the QR code of its trace page."""
    pdf, bold = _doc(f"装箱单 {facts['number']}")
    _head(pdf, bold, "装箱单 Packing slip", facts)
    for row in facts["lines"]:
        if pdf.get_y() > 240:
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_draw_color(160, 160, 160)
        pdf.rect(14, top, 182, 40)
        pdf.set_xy(18, top + 3)
        pdf.set_font("cjk", bold, 12)
        pdf.cell(
            130,
            7,
            f"{row['product']}  {row['spec']}  × {row['quantity']}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font("cjk", "", 10)
        pdf.set_x(18)
        pdf.cell(130, 6, f"批次 {row['batch_code'] or '—'}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(18)
        pdf.cell(
            130, 6, f"承诺达标合格证 {row['certificate'] or '—'}", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_x(18)
        pdf.cell(130, 6, f"SKU {row['sku']}", new_x="LMARGIN", new_y="NEXT")
        if row["trace_url"]:
            _draw_qr(pdf, segno.make(row["trace_url"], error="m"), 160, top + 3, 30)
            pdf.set_xy(150, top + 33)
            pdf.set_font("cjk", "", 7)
            pdf.cell(50, 4, "扫码查看追溯信息与合格证", align="C")
        pdf.set_y(top + 44)
    pdf.set_font("cjk", "", 9)
    pdf.multi_cell(
        0, 5, "收货后请核对商品与批次；生鲜如有破损请于签收后 48 小时内在订单页申请坏果包赔。"
    )
    return bytes(pdf.output())


def waybill_label(facts: dict[str, Any]) -> bytes:
    """A 100 × 150 mm label with the waybill number and its QR code (manual carriers)."""
    regular, _bold = _fonts()
    pdf = FPDF(orientation="P", unit="mm", format=(100, 150))
    pdf.set_auto_page_break(False)
    pdf.add_font("cjk", "", regular.path, collection_font_number=regular.index)
    pdf.add_page()
    pdf.set_font("cjk", "", 14)
    pdf.set_xy(6, 6)
    pdf.cell(88, 8, facts.get("carrier", ""), new_x="LMARGIN", new_y="NEXT")
    number = facts.get("waybill") or ""
    if number:
        _draw_qr(pdf, segno.make(number, error="m"), 30, 18, 40)
    pdf.set_xy(6, 62)
    pdf.set_font("cjk", "", 16)
    pdf.cell(88, 8, number, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", "", 10)
    pdf.set_x(6)
    pdf.multi_cell(
        88,
        5,
        f"收：{facts.get('recipient', '')} {facts.get('phone', '')}\n{facts.get('address', '')}",
    )
    pdf.set_x(6)
    pdf.multi_cell(88, 5, f"寄：{facts.get('warehouse', '')}")
    return bytes(pdf.output())
