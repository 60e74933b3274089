"""The reward report for pages, exports and the API: computed for the whole platform region
(ranks are city-wide), then cut to the caller's scope (a county bureau sees its county's
suppliers and bases, not the city's platform rows)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orders.labels import BUYER_TYPE_LABELS
from reports import documents, service, snapshots
from reports.labels import REASON_LABELS, REFUND_RULE, ROUNDING_RULE, RULE_LABELS, TIE_RULE
from reports.models import RewardSnapshot
from reports.queries import text
from yipin.accounts.models import User
from yipin.errors import NotFound
from yipin.i18n import _
from yipin.money import format_fen
from yipin.regions.models import Region


def scoped(report: dict[str, Any], user: User) -> dict[str, Any]:
    scope = service.scope_of(user)
    if len(scope) <= len(service.platform_region()):
        return report
    rows = [
        r for r in report["rows"] if r.get("county_code") and r["county_code"].startswith(scope[:6])
    ]
    return {**report, "rows": rows, "total_fen": sum(r["amount_fen"] for r in rows), "scope": scope}


def report_for(session: Session, user: User, year: int) -> dict[str, Any]:
    return scoped(snapshots.live_report(session, year, service.platform_region()), user)


def snapshot_for(session: Session, user: User, year: int, version: int) -> RewardSnapshot:
    found = session.scalars(
        sa.select(RewardSnapshot).where(
            RewardSnapshot.year == year, RewardSnapshot.version == version
        )
    ).first()
    if found is None:
        raise NotFound()
    return found


def display_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    counties = {r["county_code"] for r in report["rows"] if r.get("county_code")}
    return [
        {
            **r,
            "rule_label": text(RULE_LABELS.get(r["rule"], r["rule"])),
            "subject_label": text(_("The platform")) if r["subject"] == "platform" else r["name"],
            "reason_label": text(REASON_LABELS.get(r["reason"], r["reason"])),
            "county": (counties and r.get("county_code")) or "",
        }
        for r in report["rows"]
    ]


def _header() -> list[str]:
    return [
        _("Rule"),
        _("Recipient"),
        _("County"),
        _("Basis (yuan)"),
        _("Excluded (yuan)"),
        _("Published figure (yuan)"),
        _("Rank"),
        _("Cap (yuan)"),
        _("Computed (yuan)"),
        _("Amount (yuan)"),
        _("Status"),
    ]


def table(session: Session, report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    names = dict(
        session.execute(
            sa.select(Region.code, Region.name).where(
                Region.code.in_({r["county_code"] for r in report["rows"] if r.get("county_code")})
            )
        ).all()
    )
    y = documents.yuan
    rows = [
        [
            r["rule"],
            text(_("The platform")) if r["subject"] == "platform" else r["name"],
            names.get(r.get("county_code") or "", ""),
            y(r["basis_fen"]),
            y(r["excluded_fen"]) if r["excluded_fen"] else None,
            y(r["published_fen"]),
            r["rank"],
            y(r["cap_fen"]),
            y(r["computed_fen"]),
            y(r["amount_fen"]),
            text(REASON_LABELS.get(r["reason"], r["reason"]))
            + ("（" + _("cap applied") + "）" if r["capped"] else ""),
        ]
        for r in report["rows"]
    ]
    rows.append(
        [_("Total"), "", "", None, None, None, None, None, None, y(report["total_fen"]), ""]
    )
    return _header(), rows


def notes(report: dict[str, Any], snapshot: RewardSnapshot | None = None) -> list[str]:
    policy = report["policy"]
    out = [
        _("Policy") + f"：{policy['name']} {policy['document']}"
        f"（{policy['code']} v{policy['version']}）",
        text(REFUND_RULE),
        text(ROUNDING_RULE),
        text(TIE_RULE),
        _(
            "R1 excludes sales to government bodies, public institutions and state-owned "
            "enterprises from its basis."
        ),
    ]
    for r in report["rows"]:
        if r["excluded"]:
            parts = "；".join(
                f"{text(BUYER_TYPE_LABELS.get(k, k))} {format_fen(v)}"  # type: ignore[call-overload]
                for k, v in r["excluded"].items()
            )
            out.append(f"{r['rule']} " + _("Excluded from the basis") + f"：{parts}")
    if snapshot is not None:
        out.append(
            _("Frozen version")
            + f" v{snapshot.version} · {snapshot.frozen_at:%Y-%m-%d %H:%M} UTC · "
            + _("signature")
            + f" {snapshot.signature[:16]}…"
        )
    return out


def export(
    session: Session,
    report: dict[str, Any],
    kind: str,
    stem: str,
    *,
    snapshot: RewardSnapshot | None = None,
) -> tuple[bytes, str]:
    header, rows = table(session, report)
    if kind == "csv":
        return documents.csv(header, rows), f"{stem}.csv"
    title = _("Reward computation report %(year)s", year=report["year"])
    policy = report["policy"]
    head = service.heading(
        title,
        [
            (_("Year"), str(report["year"])),
            (_("Policy"), f"{policy['name']}（{policy['code']} v{policy['version']}）"),
            (_("Amounts"), _("yuan")),
        ],
    )
    if kind == "xlsx":
        widths = [8, 34, 12, 18, 16, 18, 8, 14, 16, 16, 30]
        note_rows = [[n] for n in notes(report, snapshot)]
        return (
            documents.xlsx(
                head,
                [
                    (str(_("Rewards")), header, rows, widths),
                    (str(_("Notes")), [_("Notes")], note_rows, [120]),
                ],
            ),
            f"{stem}.xlsx",
        )
    widths = [10, 46, 16, 24, 20, 22, 10, 18, 20, 20, 40]
    return documents.pdf(
        head, [(None, header, rows, widths, True)], notes(report, snapshot)
    ), f"{stem}.pdf"
