"""Rewards: the worked examples of the Ganzhou policy (read from its own table), the stated
rounding rule, ties in ranking, R5, and the report computed from the ledger."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orders.models import BuyerType
from reports import policies, rewards, snapshots
from tests.reports.world import GANZHOU_CITY, NANKANG, XUNWU, YUDU, World

POLICY_MD = next(
    (
        folder / "shared" / "data" / "policy" / "ganzhou-2024-2026.md"
        for folder in Path(__file__).resolve().parents
        if (folder / "shared" / "data" / "policy" / "ganzhou-2024-2026.md").exists()
    ),
    Path("shared/data/policy/ganzhou-2024-2026.md"),
)
YUAN = 100  # fen
RULES = policies.parse(policies.DEFAULT_POLICY.read_text(encoding="utf-8"))["rules"]


def _yuan(text: str) -> int:
    """The amount a result cell gives: "basis 90,000,000 → 900,000", "1,000,000 (cap)"."""
    return int(re.findall(r"\d[\d,]*", text.split("→")[-1])[0].replace(",", ""))


def _worked_examples() -> list[tuple[str, int]]:
    text = POLICY_MD.read_text(encoding="utf-8") if POLICY_MD.exists() else ""
    section = text.split("## Worked examples", 1)[-1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("R"):
            rows.append((cells[0], _yuan(cells[1])))
    return rows


def _compute(case: str) -> int:
    """The amount (yuan) our rules give for a case as the policy words it."""
    numbers = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]{4,}", case)]
    if case.startswith("R1:"):
        sold, soe, gov = numbers
        basis = sold - soe - gov
        return rewards.r1_amount(basis * YUAN, RULES["R1"])[1] // YUAN
    if case.startswith("R1"):
        return rewards.r1_amount(numbers[0] * YUAN, RULES["R1"])[1] // YUAN
    if case.startswith("R3"):
        return rewards.r3_amount(numbers[0] * YUAN, RULES["R3"])[1] // YUAN
    if case.startswith("R4 new, rank"):
        rank = int(re.search(r"rank (\d+)", case).group(1))
        if rank > RULES["R4"]["top_n"]:
            return 0
        return rewards.r4_amount(numbers[0] * YUAN, RULES["R4"])[1] // YUAN
    if case.startswith("R4"):
        return rewards.r4_amount(numbers[0] * YUAN, RULES["R4"])[1] // YUAN
    if case.startswith("R5"):
        r3, r4 = numbers
        keep = rewards.r5_choose(r3, r4)
        return r3 if keep == "R3" else r4
    raise AssertionError(f"no rule for {case!r}")


EXAMPLES = _worked_examples()


def test_the_policy_file_has_its_worked_examples() -> None:
    if not POLICY_MD.exists():
        pytest.skip("shared/data/policy is not beside the repository")
    assert len(EXAMPLES) >= 12


@pytest.mark.parametrize(("case", "expected"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_worked_example(case: str, expected: int) -> None:
    assert _compute(case) == expected


def test_rounding_is_down_to_the_fen() -> None:
    assert rewards.percent_floor(12_345, 100) == 123  # 123.45 fen → 123
    assert rewards.percent_floor(-500, 100) == 0


def test_ties_share_a_rank_and_a_tie_at_the_last_place_admits_all() -> None:
    ranks = rewards.competition_ranks(
        [("a", 9), ("b", 7), ("c", 7), ("d", 5), ("e", 5), ("f", 5), ("g", 1)]
    )
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4, "e": 4, "f": 4, "g": 7}


def test_r2_livestream_bases(world: World) -> None:
    from reports.models import LivestreamBase, LivestreamBaseKind
    from yipin.db import db

    def base(
        name: str,
        kind: LivestreamBaseKind,
        area: int,
        invest: int,
        region: str = "360702",
        recognised: bool = True,
    ) -> None:
        db.session.add(
            LivestreamBase(
                name=name,
                operator_name=f"{name}运营公司",
                operator_uscc=f"91360702MA{len(name):02d}000000",
                operator_region_code=region,
                kind=kind,
                area_m2=area,
                live_rooms=25,
                hosts=25,
                enterprises_served=40,
                recognised=recognised,
                year=2026,
                investment_fen=invest * YUAN,
            )
        )

    base("共享一号", LivestreamBaseKind.SHARED, 600, 1_000_000)  # 5 % = 50,000
    base("共享大号", LivestreamBaseKind.SHARED, 600, 5_000_000)  # 250,000 → cap 100,000
    base("示范基地", LivestreamBaseKind.DEMONSTRATION, 900, 1_000_000)  # too small for its type
    base("外地基地", LivestreamBaseKind.SHARED, 600, 1_000_000, region="110105")
    db.session.flush()
    report = snapshots.live_report(db.session, 2026, "3607")
    r2 = {r["name"].split("（")[0]: r for r in report["rows"] if r["rule"] == "R2"}
    assert r2["共享一号"]["amount_fen"] == 50_000 * YUAN
    assert r2["共享大号"]["amount_fen"] == 100_000 * YUAN and r2["共享大号"]["capped"]
    assert r2["示范基地"]["amount_fen"] == 0 and r2["示范基地"]["reason"] == "base_below_criteria"
    assert r2["外地基地"]["reason"] == "operator_not_in_city"


AT = datetime(2026, 6, 1, 4, tzinfo=UTC)
M = 1_000_000 * YUAN  # one million yuan, in fen


def test_r1_leaves_out_government_and_state_owned_buyers(world: World, roll_up) -> None:  # type: ignore[no-untyped-def]
    world.supplier("甲", XUNWU)
    world.sell("甲", 90 * M, AT)
    world.sell("甲", 70 * M, AT, buyer_type=BuyerType.STATE_OWNED)
    world.sell("甲", 40 * M, AT, buyer_type=BuyerType.GOVERNMENT_OR_INSTITUTION)
    world.sell("甲", 5 * M, AT, buyer_type=BuyerType.BUDGET_UNIT)
    roll_up()
    from yipin.db import db

    report = snapshots.live_report(db.session, 2026, "3607")
    r1 = next(r for r in report["rows"] if r["rule"] == "R1")
    assert r1["basis_fen"] == 90 * M
    assert r1["excluded"] == {
        "government_or_institution": 40 * M,
        "budget_unit": 5 * M,
        "state_owned": 70 * M,
    }
    assert r1["amount_fen"] == 900_000 * YUAN
    assert report["policy"]["code"] == "ganzhou-2024-2026" and report["policy"]["version"] == 1


def test_r3_r4_r5_ranks_and_new_enterprises(world: World, roll_up) -> None:  # type: ignore[no-untyped-def]
    from yipin.db import db

    last_year = datetime(2025, 6, 1, 4, tzinfo=UTC)
    # 老: above the line last year already → not new for R4; big enough for R3
    world.supplier("老", XUNWU)
    world.sell("老", 20 * M, last_year)
    world.sell("老", 120 * M, AT)
    # 大: new, 150 million → R4 capped at 1,000,000 and R3 200,000: R5 keeps R4
    world.supplier("大", NANKANG)
    world.sell("大", 150 * M, AT)
    # six new ones between 11 and 30 million, two tied at 5th place
    for key, millions in [("一", 30), ("二", 25), ("三", 20), ("四", 12), ("五", 12), ("六", 11)]:
        world.supplier(key, YUDU)
        world.sell(key, millions * M, AT)
    world.sell("一", 1 * M, AT, destination=GANZHOU_CITY)  # sold inside the city: not 上行
    roll_up()
    report = snapshots.live_report(db.session, 2026, "3607")
    rows = {(r["rule"], r["name"].split(" ")[0]): r for r in report["rows"]}

    assert rows[("R3", "老")]["amount_fen"] == 200_000 * YUAN
    assert rows[("R4", "老")]["reason"] == "not_new"
    assert (
        rows[("R3", "大")]["amount_fen"] == 0 and rows[("R3", "大")]["reason"] == "r5_higher_rule"
    )
    assert rows[("R4", "大")]["amount_fen"] == 1_000_000 * YUAN and rows[("R4", "大")]["capped"]
    assert rows[("R4", "大")]["rank"] == 1
    assert rows[("R4", "一")]["rank"] == 2
    assert rows[("R4", "一")]["basis_fen"] == 31 * M  # ranks on all its rural-product sales
    assert rows[("R4", "一")]["amount_fen"] == 300_000 * YUAN  # pays on 上行 only
    assert rows[("R4", "四")]["rank"] == rows[("R4", "五")]["rank"] == 5
    assert rows[("R4", "四")]["amount_fen"] == rows[("R4", "五")]["amount_fen"] == 120_000 * YUAN
    assert rows[("R4", "六")]["rank"] == 7 and rows[("R4", "六")]["amount_fen"] == 0
    assert rows[("R4", "六")]["reason"] == "rank_out"


def test_a_changed_policy_file_is_the_next_version(world: World, tmp_path: Path) -> None:
    from yipin.db import db

    text = policies.DEFAULT_POLICY.read_text(encoding="utf-8")
    same, new = policies.load(db.session)
    assert (same.version, new) == (1, False)
    changed = tmp_path / "ganzhou.toml"
    changed.write_text(text.replace("cap_fen = 100_000_000", "cap_fen = 120_000_000", 1))
    second, new = policies.load(db.session, changed)
    assert (second.version, new) == (2, True)
    assert second.rules["rules"]["R1"]["cap_fen"] == 120_000_000
    assert policies.for_year(db.session, 2026).version == 2
    assert policies.for_year(db.session, 2027) is None  # the plan ends with 2026
    with pytest.raises(policies.PolicyError):
        bad = tmp_path / "bad.toml"
        bad.write_text('code = "x"\n')
        policies.load(db.session, bad)
