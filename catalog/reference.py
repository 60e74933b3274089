"""Reference data every installation needs: categories, grade standards and Ganzhou's regional
brands (only where the platform's region overlaps theirs: a platform elsewhere enters its own).
Loaded by ``flask setup`` / ``flask seed reference``; idempotent (matched by slug/code).

Grade tables are transcribed from public copies of the standards (see ``source`` of each);
criteria the bundled notes do not quantify say so instead of inventing a number.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Category, Grade, GradeStandard, RegionalBrand, StorageClass
from yipin import freshness
from yipin.config import platform_region

CATEGORIES: list[dict[str, Any]] = [
    # slug, name, name_en, requires SC food licence, default storage
    dict(slug="fresh-fruit", name="生鲜水果", name_en="Fresh fruit", requires_food_licence=False),
    dict(
        slug="vegetables",
        name="蔬菜菌菇",
        name_en="Vegetables & mushrooms",
        requires_food_licence=False,
        default_storage_class=StorageClass.CHILLED,
    ),
    dict(slug="grain-oil", name="粮油米面", name_en="Grain & oil", requires_food_licence=True),
    dict(slug="tea", name="茶叶", name_en="Tea", requires_food_licence=True),
    dict(
        slug="processed-food",
        name="特色加工食品",
        name_en="Processed specialities",
        requires_food_licence=True,
    ),
    dict(
        slug="meat-poultry",
        name="肉禽蛋品",
        name_en="Meat, poultry & eggs",
        requires_food_licence=False,
        default_storage_class=StorageClass.CHILLED,
    ),
    dict(
        slug="dried-goods",
        name="山珍干货",
        name_en="Dried goods & lotus seeds",
        requires_food_licence=False,
    ),
    dict(slug="honey", name="蜂蜜蜂产品", name_en="Honey", requires_food_licence=True),
]

# (code, name, name_en, criteria, sellable)
ORANGE_SOURCE = (
    "GB/T 21488-2008《脐橙》等级规格指标（表 1、表 2）；可食率 ≥ 70 %。"
    "果径（65–70、70–75、75–80、80–85、85–90 mm）是规格，与等级分开标注。"
)
STANDARDS: list[dict[str, Any]] = [
    {
        "code": "GB/T 21488-2008",
        "title": "脐橙",
        "title_en": "Navel oranges",
        "source": ORANGE_SOURCE,
        "notes": "特等 / 一等 / 二等；低于二等为等外，不出市销售。",
        "grades": [
            (
                "premium",
                "特等",
                "Premium",
                [
                    ("可溶性固形物", "≥ 11.0 %"),
                    ("固酸比", "≥ 10.0"),
                    ("着色率", "≥ 90 %"),
                    ("果面缺陷总面积", "≤ 1.0 cm²"),
                    ("单个最大缺陷", "≤ 0.3 cm²"),
                    ("果皮厚度", "≤ 6.0 mm"),
                ],
                True,
            ),
            (
                "first",
                "一等",
                "First grade",
                [
                    ("可溶性固形物", "≥ 10.0 %"),
                    ("固酸比", "≥ 9.0"),
                    ("着色率", "≥ 80 %"),
                    ("果面缺陷总面积", "≤ 2.0 cm²"),
                    ("单个最大缺陷", "≤ 0.5 cm²"),
                    ("果皮厚度", "≤ 6.0 mm"),
                ],
                True,
            ),
            (
                "second",
                "二等",
                "Second grade",
                [
                    ("可溶性固形物", "≥ 9.0 %"),
                    ("固酸比", "≥ 8.5"),
                    ("着色率", "—"),
                    ("果面缺陷总面积", "≤ 3.0 cm²"),
                    ("单个最大缺陷", "≤ 1.0 cm²"),
                    ("果皮厚度", "≤ 7.0 mm"),
                ],
                True,
            ),
            ("substandard", "等外", "Substandard", [("说明", "低于二等，不出市销售")], False),
        ],
    },
    {
        "code": "GB/T 1354-2018",
        "title": "大米",
        "title_en": "Rice",
        "source": "GB/T 1354-2018《大米》：按碎米、加工精度、不完善粒分等；优质大米另按垩白度、"
        "品尝评分值分等。限量数值见标准表 1–表 3。",
        "notes": "籼米、粳米分一级 / 二级 / 三级；籼糯米、粳糯米分一级 / 二级。",
        "grades": [
            *[
                (
                    f"{kind}-{n}",
                    f"{label}{level}",
                    f"{label_en} grade {n}",
                    [
                        ("加工精度", "精碾" if n < 3 else "适碾"),
                        ("碎米、不完善粒", f"符合 GB/T 1354-2018 {label}{level}限量"),
                    ],
                    True,
                )
                for kind, label, label_en, levels in (
                    ("indica", "籼米", "Indica", 3),
                    ("japonica", "粳米", "Japonica", 3),
                    ("glutinous-indica", "籼糯米", "Glutinous indica", 2),
                    ("glutinous-japonica", "粳糯米", "Glutinous japonica", 2),
                )
                for n in range(1, levels + 1)
                for level in ("一级二级三级"[2 * (n - 1) : 2 * n],)
            ],
            *[
                (
                    f"premium-{kind}-{n}",
                    f"优质{label}{level}",
                    f"Premium {label_en} grade {n}",
                    [
                        ("加工精度", "精碾" if n < 3 else "适碾"),
                        ("垩白度、品尝评分值", f"符合 GB/T 1354-2018 优质{label}{level}要求"),
                    ],
                    True,
                )
                for kind, label, label_en in (
                    ("indica", "籼米", "indica"),
                    ("japonica", "粳米", "japonica"),
                )
                for n in range(1, 4)
                for level in ("一级二级三级"[2 * (n - 1) : 2 * n],)
            ],
        ],
    },
    {
        "code": "GB/T 11765-2018",
        "title": "油茶籽油",
        "title_en": "Camellia seed oil",
        "source": "GB/T 11765-2018《油茶籽油》：分油茶籽原油与成品油茶籽油；成品油按酸价、"
        "过氧化值分级（限量见标准质量指标表）。工艺：压榨、水酶法、浸出。",
        "notes": "原油不直接食用；成品油标注工艺与等级。",
        "grades": [
            (
                "pressed-1",
                "压榨成品油茶籽油 一级",
                "Pressed, grade 1",
                [("工艺", "压榨"), ("酸价、过氧化值", "符合 GB/T 11765-2018 一级")],
                True,
            ),
            (
                "pressed-2",
                "压榨成品油茶籽油 二级",
                "Pressed, grade 2",
                [("工艺", "压榨"), ("酸价、过氧化值", "符合 GB/T 11765-2018 二级")],
                True,
            ),
            (
                "aqueous-1",
                "水酶法成品油茶籽油 一级",
                "Aqueous enzymatic, grade 1",
                [("工艺", "水酶法"), ("酸价、过氧化值", "符合 GB/T 11765-2018 一级")],
                True,
            ),
            (
                "solvent-1",
                "浸出成品油茶籽油 一级",
                "Solvent-extracted, grade 1",
                [("工艺", "浸出"), ("酸价、过氧化值", "符合 GB/T 11765-2018 一级")],
                True,
            ),
            (
                "solvent-2",
                "浸出成品油茶籽油 二级",
                "Solvent-extracted, grade 2",
                [("工艺", "浸出"), ("酸价、过氧化值", "符合 GB/T 11765-2018 二级")],
                True,
            ),
            ("crude", "油茶籽原油", "Crude oil", [("说明", "原油，不直接食用")], False),
        ],
    },
]

# Ganzhou's regional public brands (区域公用品牌) the demo and the storefront need.
BRANDS: list[dict[str, Any]] = [
    dict(
        slug="gannan-navel-orange",
        name="赣南脐橙",
        name_en="Gannan navel orange",
        region_code="3607",
        steward="赣州市脐橙协会",
        season_months=[11, 12, 1, 2],
        description="赣南是全国最大的脐橙主产区，果大形正、橙红鲜艳、肉质脆嫩、甜酸适度。",
    ),
    dict(
        slug="gannan-camellia-oil",
        name="赣南茶油",
        name_en="Gannan camellia oil",
        region_code="3607",
        steward="赣州市油茶产业协会",
        season_months=list(range(1, 13)),
        description="山地油茶籽压榨而成，烟点高、耐储存，是赣南人家的传统食用油。",
    ),
    dict(
        slug="xunwu-mandarin",
        name="寻乌蜜桔",
        name_en="Xunwu mandarin",
        region_code="360734",
        steward="寻乌县果业局",
        season_months=[10, 11, 12],
        description="寻乌县丘陵红壤所产蜜桔，皮薄汁多、化渣爽口。",
    ),
    dict(
        slug="nankang-pomelo",
        name="南康甜柚",
        name_en="Nankang sweet pomelo",
        region_code="360703",
        steward="赣州市南康区果业局",
        season_months=[10, 11, 12, 1],
        description="南康区特产，果肉脆嫩清甜，耐贮运，素有“天然罐头”之称。",
    ),
    dict(
        slug="shangyou-green-tea",
        name="上犹绿茶",
        name_en="Shangyou green tea",
        region_code="360724",
        steward="上犹县茶叶协会",
        season_months=[3, 4, 5],
        description="上犹县高山云雾茶区，明前采摘，条索紧细、香高味醇。",
    ),
    dict(
        slug="ningdu-yellow-chicken",
        name="宁都黄鸡",
        name_en="Ningdu yellow chicken",
        region_code="360730",
        steward="宁都县畜牧兽医局",
        season_months=list(range(1, 13)),
        description="宁都县地方鸡种，林下散养，皮黄肉嫩。",
    ),
    dict(
        slug="nanan-salted-duck",
        name="南安板鸭",
        name_en="Nan'an pressed duck",
        region_code="360723",
        steward="大余县板鸭协会",
        season_months=[11, 12, 1, 2],
        description="大余县传统腊味，皮白肉红、骨脆肉香，冬季腌制。",
    ),
    dict(
        slug="shicheng-white-lotus",
        name="石城白莲",
        name_en="Shicheng white lotus seed",
        region_code="360735",
        steward="石城县白莲产业协会",
        season_months=[7, 8, 9],
        description="石城县通芯白莲，粒大饱满、久煮不散。",
    ),
    dict(
        slug="xingguo-grey-goose",
        name="兴国灰鹅",
        name_en="Xingguo grey goose",
        region_code="360732",
        steward="兴国县畜牧兽医局",
        season_months=list(range(1, 13)),
        description="兴国县地方鹅种，草食放养，肉质细嫩。",
    ),
    dict(
        slug="gannan-selenium-rice",
        name="赣南富硒大米",
        name_en="Gannan selenium-rich rice",
        region_code="3607",
        steward="赣州市富硒农业协会",
        season_months=[9, 10, 11],
        description="于都、宁都、兴国等富硒土壤种植的优质稻米，米粒油润、口感软糯。",
    ),
    dict(
        slug="gannan-rice-noodles",
        name="赣南米粉",
        name_en="Gannan rice noodles",
        region_code="3607",
        steward="赣州市米粉行业协会",
        season_months=list(range(1, 13)),
        description="早籼米石磨水浆制作，爽滑有筋道，赣南人早餐的味道。",
    ),
]


def load_reference(session: Session) -> dict[str, int]:
    """Insert missing categories, standards (with grades) and brands. Returns counts added."""
    added = {"categories": 0, "standards": 0, "grades": 0, "brands": 0}
    have = set(session.scalars(sa.select(Category.slug)))
    for order, row in enumerate(CATEGORIES):
        if row["slug"] not in have:
            session.add(Category(sort_order=order, **row))
            added["categories"] += 1

    standards = {s.code: s for s in session.scalars(sa.select(GradeStandard))}
    for spec in STANDARDS:
        std = standards.get(spec["code"])
        if std is None:
            std = GradeStandard(
                code=spec["code"],
                title=spec["title"],
                title_en=spec["title_en"],
                source=spec["source"],
                notes=spec["notes"],
            )
            session.add(std)
            added["standards"] += 1
        existing = {g.code for g in std.grades}
        for rank, (code, name, name_en, criteria, sellable) in enumerate(spec["grades"]):
            if code in existing:
                continue
            std.grades.append(
                Grade(
                    code=code,
                    name=name,
                    name_en=name_en,
                    rank=rank,
                    criteria=[{"criterion": c, "value": v} for c, v in criteria],
                    sellable=sellable,
                )
            )
            added["grades"] += 1

    have_brands = set(session.scalars(sa.select(RegionalBrand.slug)))
    region = platform_region()
    for order, row in enumerate(BRANDS):
        overlaps = row["region_code"].startswith(region) or region.startswith(row["region_code"])
        if overlaps and row["slug"] not in have_brands:
            session.add(RegionalBrand(sort_order=order, **row))
            added["brands"] += 1
    session.flush()
    if any(added.values()):
        freshness.changed(session)  # new categories and brands show on the home page
    return added
