"""Sales reports over the rollups: refunds reverse sales, Shanghai's calendar decides the year,
上行 apart, a county bureau sees its county only, frozen reward snapshots stay frozen."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from werkzeug.datastructures import MultiDict

from orders.models import BuyerType
from reports import queries, snapshots
from reports.errors import InvalidFilter, OutOfScope
from reports.periods import Grain
from reports.queries import Dimension
from tests.reports.world import GANZHOU_CITY, NANKANG, XUNWU, World
from yipin.db import db

CITY = "3607"


def report(scope: str = CITY, **args: str) -> queries.SalesReport:
    f = queries.parse_filters(MultiDict(args), scope)
    return queries.sales(db.session, f, scope)


def by_key(rep: queries.SalesReport) -> dict[object, queries.Row]:
    return {r.key: r for r in rep.rows}


def test_refunds_reverse_sales_in_every_grouping(world: World, roll_up) -> None:  # type: ignore[no-untyped-def]
    world.supplier("甲", XUNWU)
    world.supplier("乙", NANKANG)
    at = datetime(2026, 3, 10, 2, tzinfo=UTC)
    sold = world.sell("甲", 10_000, at)
    world.sell("乙", 5_000, at, destination=GANZHOU_CITY)
    world.refund(sold, 3_000, datetime(2026, 4, 2, 2, tzinfo=UTC))
    roll_up()

    rep = report(start="2026-01-01", end="2026-12-31", group_by="county")
    rows = by_key(rep)
    assert rows[XUNWU].sales_fen == 10_000 and rows[XUNWU].refunds_fen == 3_000
    assert rows[XUNWU].net_fen == 7_000
    assert rows[XUNWU].upward_fen == 7_000  # sent to Beijing: 上行
    assert rows[NANKANG].upward_fen == 0 and rows[NANKANG].local_fen == 5_000
    assert rep.total.net_fen == 12_000
    assert rows[XUNWU].label == "寻乌县"
    months = {r.label: r for r in rep.series}
    assert months["2026-03"].net_fen == 15_000
    assert months["2026-04"].net_fen == -3_000  # booked when the money went back
    suppliers = by_key(report(start="2026-01-01", end="2026-12-31", group_by="supplier"))
    assert suppliers[world.suppliers["甲"].id].net_fen == 7_000
    upward = report(start="2026-01-01", end="2026-12-31", direction="upward")
    assert upward.total.net_fen == 7_000


def test_a_year_is_shanghai_s_calendar_year_and_refunds_stay_in_their_own_year(
    world: World, roll_up
) -> None:  # type: ignore[no-untyped-def]
    world.supplier("甲", XUNWU)
    # 2025-12-31 16:30 UTC is 2026-01-01 00:30 in Shanghai: a 2026 sale
    new_year = world.sell("甲", 800, datetime(2025, 12, 31, 16, 30, tzinfo=UTC))
    # 2025-12-31 15:59 UTC is 23:59 in Shanghai: still 2025
    old_year = world.sell("甲", 500, datetime(2025, 12, 31, 15, 59, tzinfo=UTC))
    world.refund(old_year, 200, datetime(2026, 1, 5, 3, tzinfo=UTC))  # a 2025 sale refunded in 2026
    roll_up()
    y2025 = report(start="2025-01-01", end="2025-12-31", grain="year")
    y2026 = report(start="2026-01-01", end="2026-12-31", grain="year")
    assert y2025.total.sales_fen == 500 and y2025.total.net_fen == 500
    assert y2026.total.sales_fen == 800 and y2026.total.refunds_fen == 200
    assert y2026.total.net_fen == 600
    days = report(start="2025-12-31", end="2026-01-01", grain="day", group_by="period")
    assert [(r.label, r.net_fen) for r in days.rows] == [("2025-12-31", 500), ("2026-01-01", 800)]
    assert new_year.id != old_year.id


def test_buyer_types_are_a_dimension(world: World, roll_up) -> None:  # type: ignore[no-untyped-def]
    world.supplier("甲", XUNWU)
    at = datetime(2026, 5, 1, 2, tzinfo=UTC)
    world.sell("甲", 1_000, at)
    world.sell("甲", 2_000, at, buyer_type=BuyerType.STATE_OWNED)
    world.sell("甲", 4_000, at, buyer_type=BuyerType.GOVERNMENT_OR_INSTITUTION)
    roll_up()
    rows = by_key(report(start="2026-01-01", end="2026-12-31", group_by="buyer_type"))
    assert {k: r.net_fen for k, r in rows.items()} == {
        "individual": 1_000,
        "state_owned": 2_000,
        "government_or_institution": 4_000,
    }
    only = report(start="2026-01-01", end="2026-12-31", buyer_type="state_owned")
    assert only.total.net_fen == 2_000


def test_a_county_bureau_sees_its_county_only(world: World, roll_up) -> None:  # type: ignore[no-untyped-def]
    world.supplier("甲", XUNWU)
    world.supplier("乙", NANKANG)
    at = datetime(2026, 5, 1, 2, tzinfo=UTC)
    world.sell("甲", 1_000, at)
    world.sell("乙", 2_000, at)
    roll_up()
    mine = report(XUNWU, start="2026-01-01", end="2026-12-31", group_by="supplier")
    assert mine.total.net_fen == 1_000
    assert [r.key for r in mine.rows] == [world.suppliers["甲"].id]
    with pytest.raises(OutOfScope):
        report(XUNWU, start="2026-01-01", end="2026-12-31", county=NANKANG)
    # a supplier of another county named in the filter gives nothing, not its figures
    other = report(
        XUNWU, start="2026-01-01", end="2026-12-31", supplier_id=str(world.suppliers["乙"].id)
    )
    assert other.total.net_fen == 0 and other.rows == []
    kpis = {
        k.code: k
        for k in queries.kpis(
            db.session,
            queries.parse_filters(MultiDict({"start": "2026-01-01"}), XUNWU),
            XUNWU,
            CITY,
            10**9,
        )
    }
    assert kpis["net_sales"].value == 1_000
    assert kpis["orders"].value == 1 and kpis["buyers"].value == 1


@pytest.mark.parametrize(
    "args",
    [
        {"start": "2026-13-01"},
        {"grain": "week"},
        {"group_by": "colour"},
        {"county": "36073"},
        {"supplier_id": "abc"},
        {"supplier_id": "99999999999999"},
        {"start": "2026-02-01", "end": "2026-01-01"},
        {"buyer_type": "alien"},
        {"start": "1990-01-01", "end": "2026-01-01"},
    ],
)
def test_bad_filters_are_refused(app, args: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidFilter):
        queries.parse_filters(MultiDict(args), CITY)


def test_frozen_snapshot_does_not_move_and_the_next_version_shows_the_difference(
    world: World, roll_up
) -> None:  # type: ignore[no-untyped-def]
    world.supplier("甲", XUNWU)
    order = world.sell("甲", 80_000_000 * 100, datetime(2026, 6, 1, 2, tzinfo=UTC))
    roll_up()
    first = snapshots.freeze(db.session, world.operator.id, 2026, CITY, note="初稿")
    db.session.commit()
    r1 = next(r for r in first.report["rows"] if r["rule"] == "R1")
    assert r1["amount_fen"] == 800_000 * 100
    assert snapshots.verifies(first)

    world.refund(order, 10_000_000 * 100, datetime(2026, 7, 1, 2, tzinfo=UTC))
    roll_up()
    db.session.expire_all()
    again = snapshots.versions(db.session, 2026)[0]
    assert next(r for r in again.report["rows"] if r["rule"] == "R1")["amount_fen"] == 800_000 * 100
    second = snapshots.freeze(db.session, world.operator.id, 2026, CITY)
    db.session.commit()
    assert second.version == 2
    changes = snapshots.diff(first.report, second.report)
    r1_change = next(c for c in changes if c["rule"] == "R1")
    assert r1_change["fields"]["amount_fen"] == {"before": 800_000 * 100, "after": 700_000 * 100}
    # tampering shows
    first.report = {**first.report, "total_fen": 1}
    assert not snapshots.verifies(first)


def test_periods(app) -> None:  # type: ignore[no-untyped-def]
    from reports.periods import Span, bucket_label, bucket_start

    assert bucket_label(bucket_start(date(2026, 8, 9), Grain.QUARTER), Grain.QUARTER) == "2026-Q3"
    assert Span(date(2026, 1, 1), date(2026, 12, 31)).previous() == Span(
        date(2025, 1, 1), date(2025, 12, 31)
    )
    assert Span(date(2026, 3, 1), date(2026, 3, 31)).previous() == Span(
        date(2026, 2, 1), date(2026, 2, 28)
    )
    assert report().filters.group_by == Dimension.COUNTY
