"""Frozen reward reports (冻结版本): a computed report kept as data and signed.

The signature is HMAC-SHA256 over the report's canonical JSON with the app's secret key: a row
changed in the database no longer verifies, and the page says so. A snapshot never changes;
later refunds or newly entered figures show in the live report, and freezing again makes the
next version, whose difference from the previous one is listed row by row.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from reports import policies, rewards
from reports.errors import NoPolicy
from reports.models import RewardSnapshot
from yipin import clock

COMPARED = ("basis_fen", "amount_fen", "rank", "eligible", "reason", "published_fen")


def canonical(report: dict[str, Any]) -> bytes:
    return json.dumps(report, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sign(report: dict[str, Any]) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, canonical(report), hashlib.sha256).hexdigest()


def verifies(snapshot: RewardSnapshot) -> bool:
    return hmac.compare_digest(sign(snapshot.report), snapshot.signature)


def live_report(session: Session, year: int, region: str) -> dict[str, Any]:
    policy = policies.for_year(session, year)
    if policy is None:
        raise NoPolicy(year=year)
    return rewards.compute(session, year, policy, region)


def freeze(
    session: Session, user_id: int, year: int, region: str, note: str = ""
) -> RewardSnapshot:
    """Freeze the year's report as it is now: the next version of that year."""
    report = live_report(session, year, region)
    latest = latest_version(session, year)
    snapshot = RewardSnapshot(
        year=year,
        version=(latest.version + 1) if latest else 1,
        policy_id=report["policy"]["id"],
        report=report,
        signature=sign(report),
        note=note[:300],
        frozen_by_id=user_id,
        frozen_at=clock.now(),
    )
    session.add(snapshot)
    session.flush()
    return snapshot


def latest_version(session: Session, year: int) -> RewardSnapshot | None:
    return session.scalars(
        sa.select(RewardSnapshot)
        .where(RewardSnapshot.year == year)
        .order_by(RewardSnapshot.version.desc())
        .limit(1)
    ).first()


def versions(session: Session, year: int) -> list[RewardSnapshot]:
    return list(
        session.scalars(
            sa.select(RewardSnapshot)
            .where(RewardSnapshot.year == year)
            .order_by(RewardSnapshot.version)
        )
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows added, removed or changed between two reports, keyed by (rule, subject)."""

    def keyed(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(r["rule"], r["subject"]): r for r in report["rows"]}

    a, b = keyed(before), keyed(after)
    changes = []
    for key in sorted(set(a) | set(b)):
        old, new = a.get(key), b.get(key)
        if old == new:
            continue
        fields = {
            f: {"before": (old or {}).get(f), "after": (new or {}).get(f)}
            for f in COMPARED
            if (old or {}).get(f) != (new or {}).get(f)
        }
        if not fields:
            continue
        changes.append(
            {
                "rule": key[0],
                "subject": key[1],
                "name": (new or old or {}).get("name", ""),
                "change": "added" if old is None else "removed" if new is None else "changed",
                "fields": fields,
            }
        )
    total_before, total_after = before.get("total_fen", 0), after.get("total_fen", 0)
    if total_before != total_after:
        changes.append(
            {
                "rule": "",
                "subject": "total",
                "name": "",
                "change": "changed",
                "fields": {"amount_fen": {"before": total_before, "after": total_after}},
            }
        )
    return changes
