"""Verbs of the reward side that change state (operators only; each flushes, never commits):
livestream base records, officially published figures, frozen reward versions."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from reports.errors import InvalidBase, InvalidFigure
from reports.models import LivestreamBase, LivestreamBaseKind, PublishedFigure
from suppliers import uscc as uscc_rules
from suppliers.models import Supplier
from yipin.accounts.models import User
from yipin.errors import NotFound
from yipin.regions.models import Region

RULES_WITH_PUBLISHED_FIGURES = ("R1", "R3")


@dataclass
class BaseInput:
    name: str
    operator_name: str
    operator_uscc: str
    operator_region_code: str
    kind: str
    area_m2: int
    live_rooms: int
    hosts: int
    enterprises_served: int
    recognised: bool
    year: int
    investment_fen: int
    evidence: str = ""


def save_base(
    session: Session, actor: User, data: BaseInput, base_id: int | None = None
) -> LivestreamBase:
    """Add a livestream base record, or change one (``base_id``)."""
    name = data.name.strip()
    if not name or len(name) > 120 or not data.operator_name.strip():
        raise InvalidBase(why="name", field="name")
    code = data.operator_uscc.strip().upper()
    if not uscc_rules.is_valid(code):
        raise InvalidBase(why="USCC", field="operator_uscc")
    if session.get(Region, data.operator_region_code) is None:
        raise InvalidBase(why="region", field="operator_region_code")
    if data.kind not in {k.value for k in LivestreamBaseKind}:
        raise InvalidBase(why="kind", field="kind")
    numbers = (
        data.area_m2,
        data.live_rooms,
        data.hosts,
        data.enterprises_served,
        data.investment_fen,
    )
    if any(n < 0 or n > 10**13 for n in numbers):
        raise InvalidBase(why="numbers", field="area_m2")
    if not 2000 <= data.year <= 2100:
        raise InvalidBase(why="year", field="year")
    if base_id is None:
        base = LivestreamBase()
        session.add(base)
    else:
        found = session.get(LivestreamBase, base_id)
        if found is None:
            raise NotFound()
        base = found
    base.name = name
    base.operator_name = data.operator_name.strip()[:120]
    base.operator_uscc = code
    base.operator_region_code = data.operator_region_code
    base.kind = LivestreamBaseKind(data.kind)
    base.area_m2, base.live_rooms, base.hosts = data.area_m2, data.live_rooms, data.hosts
    base.enterprises_served = data.enterprises_served
    base.recognised = data.recognised
    base.year = data.year
    base.investment_fen = data.investment_fen
    base.evidence = data.evidence.strip()[:4000]
    base.updated_by_id = actor.id
    session.flush()
    return base


def enter_published_figure(
    session: Session,
    actor: User,
    *,
    year: int,
    rule: str,
    supplier_id: int | None,
    amount_fen: int,
    source: str,
) -> PublishedFigure:
    """Record (or replace) the officially published sales figure of a supplier or the platform."""
    if rule not in RULES_WITH_PUBLISHED_FIGURES:
        raise InvalidFigure(why="rule", field="rule")
    if not 2000 <= year <= 2100:
        raise InvalidFigure(why="year", field="year")
    if amount_fen < 0:
        raise InvalidFigure(why="amount", field="amount")
    if supplier_id is not None and session.get(Supplier, supplier_id) is None:
        raise InvalidFigure(why="supplier", field="supplier_id")
    if rule == "R1" and supplier_id is not None:
        raise InvalidFigure(why="R1 is the platform's", field="supplier_id")
    subject = "platform" if supplier_id is None else f"supplier:{supplier_id}"
    figure = session.scalars(
        sa.select(PublishedFigure).where(
            PublishedFigure.year == year,
            PublishedFigure.rule == rule,
            PublishedFigure.subject == subject,
        )
    ).first()
    if figure is None:
        figure = PublishedFigure(year=year, rule=rule, subject=subject, supplier_id=supplier_id)
        session.add(figure)
    figure.amount_fen = amount_fen
    figure.source = source.strip()[:300]
    figure.entered_by_id = actor.id
    session.flush()
    return figure
