"""Market-supervision sampling (市场监管抽检) of batches, recorded by operators.

A failed sample delists the batch at once (status, reason, time), tells the supplier and
re-indexes the product; the operator then gets the orders that received the batch (recall).
A passed sample is only recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from catalog.models import Batch, InspectionResult, SamplingRecord
from catalog.trace import batches, queries
from catalog.trace.errors import InvalidSample, UnknownBatchCode
from orders import queries as orders_queries
from orders.queries import ReceivedOrder
from yipin import clock, freshness
from yipin.accounts.models import Role, User
from yipin.errors import Forbidden
from yipin.i18n import _l, bilingual
from yipin.notifications import notify_supplier

NOTE_SAMPLE_FAILED = "batch_sample_failed"
PORTAL_BATCHES = "/supplier/trace/batches"


@dataclass
class SamplingDraft:
    batch_code: str
    sampled_on: date
    agency: str
    result: InspectionResult
    report_number: str = ""
    items: str = ""
    notes: str = ""


@dataclass
class SamplingOutcome:
    record: SamplingRecord
    batch: Batch
    delisted: bool  # this record took the batch off sale
    orders: list[ReceivedOrder] = field(default_factory=list)  # when failed


def record_sample(session: Session, actor: User, draft: SamplingDraft) -> SamplingOutcome:
    """Record a sample result; a failure delists the batch at once and lists its orders."""
    if actor.role != Role.OPERATOR:
        raise Forbidden()
    batch = queries.find_by_code(session, draft.batch_code)
    if batch is None:
        shown = batches.plain(draft.batch_code).upper()[:24]
        raise UnknownBatchCode(batch_code=shown, field="batch_code")
    agency = batches.plain(draft.agency)
    if not agency or len(agency) > 120:
        raise InvalidSample(
            _l("Name the agency that took the sample (at most 120 characters)."), field="agency"
        )
    report_number = batches.plain(draft.report_number)
    if len(report_number) > 60:
        raise InvalidSample(
            _l("The report number is at most 60 characters."), field="report_number"
        )
    if draft.sampled_on is None:
        raise InvalidSample(_l("Enter the sampling date."), field="sampled_on")
    if draft.sampled_on > clock.today_local():
        raise InvalidSample(_l("The sampling date cannot be in the future."), field="sampled_on")
    try:
        result = InspectionResult(draft.result)
    except ValueError:
        raise InvalidSample(_l("Choose pass or fail."), field="result") from None
    items = batches.plain(draft.items)
    notes = batches.plain(draft.notes)
    if result == InspectionResult.FAIL and not items:
        raise InvalidSample(_l("Name the items that failed."), field="items")

    record = SamplingRecord(
        batch_id=batch.id,
        sampled_on=draft.sampled_on,
        agency=agency,
        report_number=report_number,
        items=items,
        result=result,
        notes=notes,
        recorded_by_id=actor.id,
        recorded_at=clock.now(),
    )
    session.add(record)
    session.flush()
    freshness.changed(session)  # the traceability page lists the samples
    outcome = SamplingOutcome(record=record, batch=batch, delisted=False)
    if result == InspectionResult.FAIL:
        if not batch.is_recalled:
            reason = f"市场监管抽检不合格（{agency}"
            reason += f"，报告编号 {report_number}）" if report_number else "）"
            reason += f"：{items}"
            batches.delist_batch(session, actor, batch, reason)
            outcome.delisted = True
            _tell_supplier(session, batch, record)
        outcome.orders = orders_queries.orders_with_batch(session, batch.id)
    return outcome


def _tell_supplier(session: Session, batch: Batch, record: SamplingRecord) -> None:
    title = bilingual(
        _l("Batch %(code)s failed a market-supervision sample and was delisted"),
        code=batch.code,
    )["zh_CN"]
    body = bilingual(
        _l(
            "%(agency)s, sampled on %(day)s, report %(report)s: %(items)s. Stop selling and "
            "shipping this lot; the platform will contact you about the orders that received it."
        ),
        agency=record.agency,
        day=record.sampled_on.isoformat(),
        report=record.report_number or "—",
        items=record.items,
    )["zh_CN"]
    notify_supplier(
        session,
        batch.supplier_id,
        NOTE_SAMPLE_FAILED,
        title,
        body,
        link=f"{PORTAL_BATCHES}/{batch.id}",
    )
