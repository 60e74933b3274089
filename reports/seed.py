"""The demo's part of reports (``flask seed demo``, after the orders' year of sales): the rollups
of every day the ledger has, the platform's commission rules, two livestream bases, and the
settlement statements of the finished months."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from catalog.models import Category
from reports import rollups, settlement
from reports.actions import BaseInput, save_base
from reports.models import CommissionRule
from suppliers import uscc
from yipin import clock
from yipin.accounts.models import Role, User
from yipin.seed.context import SeedContext


def seed(ctx: SeedContext) -> None:
    session = ctx.session
    operator = session.scalars(
        sa.select(User).where(User.role == Role.OPERATOR).order_by(User.id)
    ).first()
    if operator is None:
        return
    days = rollups.ledger_days(session)
    for day in ctx.progress(days, "rollups"):
        rollups.rebuild_day(session, day)
    if session.scalar(sa.select(sa.func.count()).select_from(CommissionRule)):
        return
    today = clock.today_local()
    start = date(today.year - 1, 1, 1)
    settlement.add_rule(session, operator, rate_bp=500, valid_from=start, note="平台默认佣金")
    fruit = session.scalars(sa.select(Category).where(Category.slug == "fresh-fruit")).first()
    if fruit is not None:
        settlement.add_rule(
            session, operator, rate_bp=300, valid_from=start, category_id=fruit.id, note="生鲜水果"
        )
    for name, kind, area, rooms, hosts, served, recognised, invest in (
        ("赣州电商直播共享基地", "shared", 800, 14, 16, 35, True, 1_200_000_00),
        ("寻乌脐橙直播示范基地", "demonstration", 1_200, 18, 22, 40, False, 3_000_000_00),
    ):
        save_base(
            session,
            operator,
            BaseInput(
                name=name,
                operator_name=f"{name[:2]}直播运营有限公司",
                operator_uscc=uscc.make(f"91360702{len(name):02d}{area:06d}X"),
                operator_region_code="360702",
                kind=kind,
                area_m2=area,
                live_rooms=rooms,
                hosts=hosts,
                enterprises_served=served,
                recognised=recognised,
                year=today.year,
                investment_fen=invest,
                evidence="装修合同、设备发票（演示数据）",
            ),
        )
    month = date(today.year, today.month, 1)
    for back in range(1, 13):
        first = date(
            month.year - (1 if month.month <= back else 0), (month.month - back - 1) % 12 + 1, 1
        )
        if days and first >= days[0].replace(day=1):
            settlement.make_statements(session, first)
    ctx.echo(
        f"reports: {len(days)} days rolled up, commission rules, 2 livestream bases, statements"
    )
