"""Reward policies (奖补政策) as versioned data.

A policy file (TOML, ``reports/data/policies/``) gives the rules with their numbers; loading it
stores a ``RewardPolicy`` row. Loading the same content again changes nothing; changed content
becomes the next version of the same policy code. A report for a year uses the newest version
whose effective range covers that year.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from reports.models import RewardPolicy

DATA = Path(__file__).parent / "data" / "policies"
DEFAULT_POLICY = DATA / "ganzhou-2024-2026.toml"


class PolicyError(ValueError):
    """A policy file that cannot be loaded (the message says why)."""


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def parse(text: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"not TOML: {exc}") from exc
    for key in ("code", "name", "effective_from", "effective_to", "rules"):
        if key not in data:
            raise PolicyError(f"missing {key!r}")
    if not isinstance(data["effective_from"], date) or not isinstance(data["effective_to"], date):
        raise PolicyError("effective_from and effective_to must be dates")
    if data["effective_to"] < data["effective_from"]:
        raise PolicyError("effective_to before effective_from")
    return data


def load(session: Session, path: Path | str = DEFAULT_POLICY) -> tuple[RewardPolicy, bool]:
    """Store the policy in ``path``; returns (the version, whether it is new)."""
    path = Path(path)
    data = parse(path.read_text(encoding="utf-8"))
    rules = {"settings": _plain(data.get("settings", {})), "rules": _plain(data["rules"])}
    checksum = hashlib.sha256(
        json.dumps(
            {
                "rules": rules,
                "from": data["effective_from"].isoformat(),
                "to": data["effective_to"].isoformat(),
                "name": data["name"],
            },
            sort_keys=True,
            ensure_ascii=False,
        ).encode()
    ).hexdigest()
    latest = session.scalars(
        sa.select(RewardPolicy)
        .where(RewardPolicy.code == data["code"])
        .order_by(RewardPolicy.version.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.checksum == checksum:
        return latest, False
    policy = RewardPolicy(
        code=data["code"],
        version=(latest.version + 1) if latest else 1,
        name=data["name"],
        document=data.get("document", ""),
        effective_from=data["effective_from"],
        effective_to=data["effective_to"],
        rules=rules,
        checksum=checksum,
        source=path.name,
    )
    session.add(policy)
    session.flush()
    return policy, True


def for_year(session: Session, year: int) -> RewardPolicy | None:
    """The newest policy version in force during ``year``."""
    return session.scalars(
        sa.select(RewardPolicy)
        .where(
            RewardPolicy.effective_from <= date(year, 12, 31),
            RewardPolicy.effective_to >= date(year, 1, 1),
        )
        .order_by(RewardPolicy.loaded_at.desc(), RewardPolicy.id.desc())
        .limit(1)
    ).first()


def seed_reference(session: Session) -> dict[str, int]:
    """``flask setup``: the Ganzhou policy (idempotent)."""
    _, new = load(session)
    return {"reward policies": int(new)}
