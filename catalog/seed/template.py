"""What a demo product template is made of: variants, the tests its batches record, and the
shorthand the template modules share (standards, certificate kinds, every month)."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.models import CertificationKind, StorageClass

ALL_YEAR = tuple(range(1, 13))
ORANGE_STD, RICE_STD, OIL_STD = "GB/T 21488-2008", "GB/T 1354-2018", "GB/T 11765-2018"


@dataclass(frozen=True)
class V:
    """A variant: spec, net and gross grams, price and list price in fen, grade code, limit."""

    spec: str
    net_g: int
    gross_g: int
    price: int
    list_price: int | None = None
    grade: str | None = None
    limit: int | None = None


@dataclass(frozen=True)
class Test:
    """An inspection item of a batch: what, how, and a typical passing value."""

    item: str
    method: str
    value: str


@dataclass(frozen=True)
class Template:
    key: str
    category: str
    name: str
    subtitle: str
    description: str
    picture: str  # a kind in catalog.seed.pictures.KINDS
    title: str  # the short name drawn on the picture
    variants: tuple[V, ...]
    storage: StorageClass = StorageClass.AMBIENT
    shelf_life_days: int = 30
    sale: tuple[int, ...] = ALL_YEAR
    presale: tuple[int, ...] = ()
    standard: str | None = None
    processed: bool = False  # batches carry a production date (else a harvest date)
    produced_days_ago: tuple[int, int] = (2, 12)  # when the current batch was made
    base: str = "基地"  # 脐橙果园, 油茶林 …
    tests: tuple[Test, ...] = ()
    certifications: tuple[CertificationKind, ...] = ()  # kinds that suit it


PESTICIDE = Test(
    "农药残留（有机磷和氨基甲酸酯类）", "酶抑制率法 GB/T 5009.199-2003", "抑制率 {n}%，＜ 50%"
)
BRIX = Test("可溶性固形物", "折射仪法 NY/T 2637-2014", "{brix} %")
CLENBUTEROL = Test("瘦肉精（克伦特罗、莱克多巴胺）", "胶体金免疫层析法", "阴性")
CADMIUM = Test("镉（以 Cd 计）", "石墨炉原子吸收光谱法 GB 5009.15-2023", "0.0{n} mg/kg")
SELENIUM = Test("硒（以 Se 计）", "氢化物原子荧光光谱法 GB 5009.93-2017", "0.0{sel} mg/kg")
ACID = Test("酸价（KOH）", "GB 5009.229-2016", "0.{n} mg/g")
PEROXIDE = Test("过氧化值", "GB 5009.227-2023", "0.0{n} g/100g")
BAP = Test("苯并[a]芘", "GB 5009.27-2016", "＜ 2.0 μg/kg")
MOISTURE = Test("水分", "GB 5009.3-2016", "1{n}.2 %")
NITRITE = Test("亚硝酸盐（以 NaNO₂ 计）", "GB 5009.33-2016", "{n} mg/kg")
SULFITE = Test("二氧化硫残留", "GB 5009.34-2022", "未检出")

GF, ORG, GI, NP = (
    CertificationKind.GREEN_FOOD,
    CertificationKind.ORGANIC,
    CertificationKind.GEOGRAPHICAL_INDICATION,
    CertificationKind.NOTABLE_PRODUCT,
)
