"""The reports JSON API (``/api/v1/reports``): sales with KPIs, the reward report and its frozen
versions (bureau staff in their region, operators everything), settlement statements
(supplier staff their own, operators all). Read-only."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from reports import rewards_service, service, settlement, snapshots
from reports.labels import KPI_LABELS, REFUND_RULE
from reports.queries import text
from reports.schemas import (
    RewardReportSchema,
    SalesQuerySchema,
    SalesReportSchema,
    SnapshotSchema,
    StatementQuerySchema,
    StatementSchema,
)
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor
from yipin.api import Blueprint
from yipin.db import db
from yipin.errors import NotFound

blp = Blueprint(
    "reports_api",
    __name__,
    description="Sales reports, rewards and settlement · 销售统计、奖补测算与结算",
)


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise NotFound()
    return year


@blp.route("/sales")
class Sales(MethodView):
    @blp.arguments(SalesQuerySchema, location="query")
    @blp.response(200, SalesReportSchema)
    @blp.rules(
        "end is not before start, and the span is at most five years; a township lies in the"
        " county asked for · 结束日期不早于开始日期，跨度不超过五年；乡镇须属于所选县",
        (404, "a county or township outside the caller's scope · 超出权限范围的县或乡镇"),
    )
    @blp.login_required(Role.BUREAU, Role.OPERATOR)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Sales report with KPIs · 销售统计与主要指标

        Sales net of refunds grouped by a dimension, the per-period series (Asia/Shanghai
        calendar) and the KPIs beside the period before: the dashboard's figures. A county
        bureau account gets its county only; a county outside the caller's scope is a 404.

        按维度分组的净销售额（已扣除退款）、按期间（北京时间）的序列，以及与上期对比的主要指标，
        即看板上的数字。县级商务局账号只能看到本县；超出权限范围的县返回 404。
        """
        page = service.sales_page(db.session, actor(), request.args)
        return {
            "scope": page.scope,
            "filters": page.filters.query_args(),
            "rows": [r.as_dict() for r in page.report.rows],
            "total": page.report.total.as_dict(),
            "series": [{**r.as_dict(), "key": r.key.isoformat()} for r in page.report.series],
            "kpis": [
                {**k.as_dict(), "label": text(KPI_LABELS.get(k.code, k.code))} for k in page.kpis
            ],
            "refund_rule": text(REFUND_RULE),
        }


@blp.route("/rewards/<int:year>")
class Rewards(MethodView):
    @blp.response(200, RewardReportSchema)
    @blp.login_required(Role.BUREAU, Role.OPERATOR)
    def get(self, year: int) -> dict[str, Any]:
        """Reward report of a year · 年度奖补测算

        The year's reward report as it stands now (not frozen): each rule, recipient, basis,
        exclusions, rank, cap, amount and the policy version; a county bureau sees its county.

        当前（未冻结）的年度奖补测算：各条款、对象、基数、剔除项、排名、封顶、金额及政策版本；
        县级商务局只看到本县。
        """
        return rewards_service.report_for(db.session, actor(), _year(year))


@blp.route("/rewards/<int:year>/versions")
class RewardVersions(MethodView):
    @blp.response(200, SnapshotSchema(many=True))
    @blp.login_required(Role.BUREAU, Role.OPERATOR)
    def get(self, year: int) -> list[dict[str, Any]]:
        """Frozen versions of a reward report · 奖补测算冻结版本

        The frozen versions of a year's report, each with whether its signature still holds.

        某年度测算的各冻结版本，并说明签名是否仍然有效。
        """
        user = actor()
        return [
            {
                "year": s.year,
                "version": s.version,
                "frozen_at": s.frozen_at,
                "note": s.note,
                "total_fen": rewards_service.scoped(s.report, user)["total_fen"],
                "signature_valid": snapshots.verifies(s),
            }
            for s in snapshots.versions(db.session, _year(year))
        ]


@blp.route("/rewards/<int:year>/versions/<int:version>")
class RewardVersion(MethodView):
    @blp.response(200, RewardReportSchema)
    @blp.login_required(Role.BUREAU, Role.OPERATOR)
    def get(self, year: int, version: int) -> dict[str, Any]:
        """One frozen reward report · 一个冻结版本

        One frozen version of a year's reward report, with whether its signature still holds.

        某年度奖补测算的一个冻结版本，并说明签名是否仍然有效。
        """
        user = actor()
        frozen = rewards_service.snapshot_for(db.session, user, _year(year), version)
        return {
            **rewards_service.scoped(frozen.report, user),
            "version": frozen.version,
            "signature_valid": snapshots.verifies(frozen),
        }


@blp.route("/statements")
class Statements(MethodView):
    @blp.arguments(StatementQuerySchema, location="query")
    @blp.response(200, StatementSchema(many=True))
    @blp.login_required(Role.SUPPLIER, Role.OPERATOR)
    def get(self, args: dict[str, Any]) -> list[Any]:
        """Settlement statements · 结算单

        Settlement statements per billing cycle: supplier staff see their supplier's, operators
        all (or one supplier's).

        按结算周期的结算单：供应商员工只看到本企业的，运营人员可看全部（或指定供应商的）。
        """
        return settlement.statements_for(db.session, actor(), args.get("supplier_id"))


@blp.route("/statements/<int:statement_id>")
class Statement(MethodView):
    @blp.response(200, StatementSchema)
    @blp.login_required(Role.SUPPLIER, Role.OPERATOR)
    def get(self, statement_id: int) -> Any:
        """One settlement statement · 一张结算单

        One statement with its lines and payouts; another supplier's statement is a 404.

        一张结算单及其明细和付款记录；其他供应商的结算单返回 404。
        """
        return settlement.statement_for(db.session, actor(), statement_id)
