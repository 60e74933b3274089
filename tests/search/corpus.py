"""A fixed catalog for search tests and the relevance set (``bench/search_relevance.py`` too).

Forty-odd products of Ganzhou's brands and their neighbours (names as suppliers write them),
with distractors (油茶花蜜 for 茶油, 咸鸭蛋 for 板鸭) and products no consumer may see (delisted,
draft, a suspended supplier's, out of season). ``TODAY`` is a December day: navel oranges and
mandarins are in season, fresh lotus pods are not, next spring's tea is on pre-sale.

``RELEVANCE`` lists queries a consumer types (Chinese words, phrases with spaces, pinyin,
initials, synonyms, typos, Chinese with quantities) with the products that belong in the top 3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from catalog.models import CertificationKind, ProductStatus, StorageClass
from suppliers.models import SupplierStatus
from tests import factories
from yipin.db import db

TODAY = date(2026, 12, 10)
NOW = datetime(2026, 12, 10, 4, 0, tzinfo=UTC)  # 12:00 in China
ALL = list(range(1, 13))
ORANGE, RICE, OIL = "GB/T 21488-2008", "GB/T 1354-2018", "GB/T 11765-2018"
GF, ORG, GI, NP = (
    CertificationKind.GREEN_FOOD,
    CertificationKind.ORGANIC,
    CertificationKind.GEOGRAPHICAL_INDICATION,
    CertificationKind.NOTABLE_PRODUCT,
)
COUNTIES = {
    "360702": "章贡区",
    "360703": "南康区",
    "360704": "赣县区",
    "360722": "信丰县",
    "360723": "大余县",
    "360724": "上犹县",
    "360725": "崇义县",
    "360726": "安远县",
    "360729": "全南县",
    "360730": "宁都县",
    "360731": "于都县",
    "360732": "兴国县",
    "360733": "会昌县",
    "360734": "寻乌县",
    "360735": "石城县",
    "360781": "瑞金市",
    "360783": "龙南市",
}


@dataclass(frozen=True)
class V:
    spec: str
    grams: int
    price: int  # fen
    grade: str | None = None  # grade code of the product's standard


@dataclass(frozen=True)
class P:
    key: str
    category: str
    name: str
    subtitle: str
    county: str
    variants: tuple[V, ...]
    brand: str | None = None
    standard: str | None = None
    storage: StorageClass = StorageClass.AMBIENT
    sale: tuple[int, ...] = tuple(ALL)
    presale: tuple[int, ...] = ()
    certs: tuple[CertificationKind, ...] = ()
    stock: bool = True
    sold: int = 0
    status: ProductStatus = ProductStatus.LISTED
    supplier_status: SupplierStatus = SupplierStatus.VERIFIED
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


ORANGE_SEASON = (11, 12, 1, 2)
PRODUCTS: tuple[P, ...] = (
    P(
        "orange-xunwu",
        "fresh-fruit",
        "赣南脐橙 澄江果园 现摘现发",
        "寻乌丘陵红壤 · 树上自然熟 · 坏果包赔",
        "360734",
        (V("5 kg 75–80 mm", 5000, 6980, "premium"), V("5 kg 70–75 mm", 5000, 5980, "first")),
        brand="gannan-navel-orange",
        standard=ORANGE,
        sale=ORANGE_SEASON,
        certs=(GF, GI),
        sold=120,
    ),
    P(
        "orange-xinfeng-gift",
        "fresh-fruit",
        "赣南脐橙 信丰 特等果 礼盒装",
        "80–90 mm 精选大果 · 一果一码 · 送礼有面",
        "360722",
        (V("礼盒 5 kg 80–90 mm", 5000, 12800, "premium"),),
        brand="gannan-navel-orange",
        standard=ORANGE,
        sale=ORANGE_SEASON,
        certs=(GI,),
        sold=40,
    ),
    P(
        "orange-anyuan-family",
        "fresh-fruit",
        "赣南脐橙 安远 家庭装 中果",
        "自家吃更实惠 · 一等 / 二等果",
        "360726",
        (V("5 kg 65–70 mm", 5000, 4580, "first"), V("10 kg 65–75 mm", 10000, 7980, "second")),
        brand="gannan-navel-orange",
        standard=ORANGE,
        sale=ORANGE_SEASON,
        sold=300,
    ),
    P(
        "orange-late",
        "fresh-fruit",
        "赣南脐橙 纽荷尔 留树晚采 会昌",
        "12 月中旬后采摘 · 留树保鲜 · 糖度更高",
        "360733",
        (V("5 kg 75–85 mm", 5000, 7580, "premium"),),
        brand="gannan-navel-orange",
        standard=ORANGE,
        sale=(12, 1, 2, 3),
        stock=False,
    ),
    P(
        "orange-jam",
        "processed-food",
        "脐橙果酱 低糖 玻璃瓶",
        "信丰脐橙熬制 · 抹面包 · 冲饮",
        "360722",
        (V("260 g × 2 瓶", 520, 3900),),
    ),
    P(
        "mandarin-xunwu",
        "fresh-fruit",
        "寻乌蜜桔 项山果园 薄皮化渣",
        "寻乌丘陵红壤 · 皮薄汁多 · 现摘现发",
        "360734",
        (V("5 kg 中果", 5000, 3980),),
        brand="xunwu-mandarin",
        sale=(10, 11, 12),
        certs=(GF,),
        sold=80,
    ),
    P(
        "mandarin-gift",
        "fresh-fruit",
        "寻乌蜜桔 精选礼盒",
        "单果套袋 · 甜度 ≥ 12° · 礼盒包装",
        "360734",
        (V("礼盒 3 kg", 3000, 5980),),
        brand="xunwu-mandarin",
        sale=(10, 11, 12),
    ),
    P(
        "pomelo",
        "fresh-fruit",
        "南康甜柚 树上熟",
        "果肉脆嫩清甜 · 耐贮存 · 2 个起发",
        "360703",
        (V("2 个装 约 3 kg", 3000, 3580),),
        brand="nankang-pomelo",
        sale=(10, 11, 12, 1),
    ),
    P(
        "pomelo-gift",
        "fresh-fruit",
        "南康甜柚 礼盒 6 个装",
        "精选单果 1.3 kg 以上 · 网套防震",
        "360703",
        (V("礼盒 6 个装", 8000, 8880),),
        brand="nankang-pomelo",
        sale=(10, 11, 12, 1),
    ),
    P(
        "kiwi",
        "fresh-fruit",
        "安远 三百山 红心猕猴桃",
        "高山种植 · 软糯香甜",
        "360726",
        (V("3 kg 大果", 3000, 6980),),
        sale=(9, 10, 11, 12),
    ),
    P(
        "peach",
        "fresh-fruit",
        "定南 鹰嘴桃 产地直发",
        "脆甜多汁",
        "360729",
        (V("5 kg", 5000, 6980),),
        sale=(6, 7),
    ),  # out of season in December: never shown
    P(
        "tea-mingqian",
        "tea",
        "上犹绿茶 梅水 明前特级",
        "2026 年明前采摘 · 一芽一叶初展 · 高山云雾",
        "360724",
        (V("250 g 罐装", 250, 26800),),
        brand="shangyou-green-tea",
        certs=(ORG,),
        sold=15,
    ),
    P(
        "tea-daily",
        "tea",
        "上犹绿茶 雨前一级 口粮茶",
        "谷雨前采摘 · 耐冲泡 · 袋装实惠",
        "360724",
        (V("500 g 袋装", 500, 9800),),
        brand="shangyou-green-tea",
        sold=60,
    ),
    P(
        "tea-presale",
        "tea",
        "上犹绿茶 2027 明前头采 预订",
        "2027 年 3 月开采 · 预订锁定头采",
        "360724",
        (V("250 g 罐装", 250, 29800),),
        brand="shangyou-green-tea",
        sale=(3, 4),
        presale=(12, 1, 2),
        stock=False,
    ),
    P(
        "tea-black",
        "tea",
        "崇义高山红茶 工夫红茶",
        "夏茶制红 · 蜜香甜润",
        "360725",
        (V("200 g 罐装", 200, 12800),),
    ),
    P(
        "chicken",
        "meat-poultry",
        "宁都黄鸡 林下散养 冰鲜整鸡",
        "散养 180 天以上 · 当日屠宰 · 冷链直发",
        "360730",
        (V("整鸡 1.5 kg", 1500, 12800),),
        brand="ningdu-yellow-chicken",
        storage=StorageClass.CHILLED,
        sold=45,
    ),
    P(
        "eggs",
        "meat-poultry",
        "宁都黄鸡 散养土鸡蛋",
        "林下散养母鸡 · 蛋黄饱满 · 破损包赔",
        "360730",
        (V("30 枚", 1500, 4980),),
        brand="ningdu-yellow-chicken",
        sold=200,
    ),
    P(
        "salted-eggs",
        "meat-poultry",
        "瑞金 红心咸鸭蛋",
        "黄泥腌制 · 起沙流油",
        "360781",
        (V("20 枚", 1400, 3980),),
    ),
    P(
        "duck",
        "processed-food",
        "南安板鸭 传统腊味",
        "大余传统工艺 · 皮白肉红 · 骨脆肉香",
        "360723",
        (V("整只 约 1 kg", 1000, 8800),),
        brand="nanan-salted-duck",
        sale=(11, 12, 1, 2, 3),
        certs=(GI, NP),
        sold=90,
    ),
    P(
        "duck-pieces",
        "processed-food",
        "南安板鸭 切块即蒸装",
        "开袋即蒸 · 独立小包 · 一人食",
        "360723",
        (V("400 g", 400, 4580),),
        brand="nanan-salted-duck",
        sale=(11, 12, 1, 2, 3),
    ),
    P(
        "bacon",
        "processed-food",
        "大余 农家腊肉 柴火熏制",
        "五花腊肉 · 烟熏香",
        "360723",
        (V("1 kg", 1000, 9800),),
        sale=(11, 12, 1, 2),
    ),
    P(
        "lotus",
        "dried-goods",
        "石城白莲 通芯白莲",
        "手工去皮通芯 · 粒大饱满 · 久煮不散",
        "360735",
        (V("500 g 袋装", 500, 6800),),
        brand="shicheng-white-lotus",
        certs=(GI,),
        sold=70,
    ),
    P(
        "lotus-fresh",
        "fresh-fruit",
        "石城白莲 鲜莲蓬 预订",
        "2027 年 7 月采摘 · 冷链直发",
        "360735",
        (V("10 个装", 2000, 5980),),
        brand="shicheng-white-lotus",
        sale=(7, 8),
        presale=(5, 6),
        storage=StorageClass.CHILLED,
    ),  # neither on sale nor pre-sale now
    P(
        "lotus-core",
        "dried-goods",
        "石城白莲 莲子心",
        "通芯时取出的莲心 · 清香微苦 · 泡茶",
        "360735",
        (V("100 g 罐装", 100, 3800),),
        brand="shicheng-white-lotus",
    ),
    P(
        "goose",
        "meat-poultry",
        "兴国灰鹅 草饲整鹅",
        "放养 120 天 · 急冻锁鲜 · 冷链配送",
        "360732",
        (V("整鹅 约 3.5 kg", 3500, 19800),),
        brand="xingguo-grey-goose",
        storage=StorageClass.FROZEN,
        sold=12,
    ),
    P(
        "goose-parts",
        "meat-poultry",
        "兴国灰鹅 鹅腿鹅翅组合",
        "分割冷冻 · 红烧炖汤皆宜",
        "360732",
        (V("2 kg", 2000, 13800),),
        brand="xingguo-grey-goose",
        storage=StorageClass.FROZEN,
    ),
    P(
        "rice",
        "grain-oil",
        "赣南富硒大米 2026 新米",
        "富硒红壤种植 · 硒含量 ≥ 0.04 mg/kg · 当季新米",
        "360731",
        (V("5 kg 真空装", 5000, 6980, "indica-1"),),
        brand="gannan-selenium-rice",
        standard=RICE,
        certs=(GF,),
        sold=150,
    ),
    P(
        "rice-family",
        "grain-oil",
        "赣南富硒大米 家庭装",
        "籼米二级 · 粒粒饱满 · 食堂、家庭之选",
        "360730",
        (V("10 kg 编织袋", 10000, 9980, "indica-2"), V("25 kg", 25000, 22800, "indica-2")),
        brand="gannan-selenium-rice",
        standard=RICE,
        sold=400,
    ),
    P(
        "rice-glutinous",
        "grain-oil",
        "赣南富硒糯米 瑞金",
        "包粽子、做米果 · 黏糯香甜",
        "360781",
        (V("2.5 kg", 2500, 3980, "glutinous-indica-1"),),
        brand="gannan-selenium-rice",
        standard=RICE,
    ),
    P(
        "oil-pressed",
        "grain-oil",
        "赣南高山压榨茶油 崇义",
        "物理压榨 · 压榨一级 · 高烟点耐储存",
        "360725",
        (V("1 L", 920, 9800, "pressed-1"), V("2.5 L", 2300, 22800, "pressed-1")),
        brand="gannan-camellia-oil",
        standard=OIL,
        certs=(GF,),
        sold=65,
    ),
    P(
        "oil-new",
        "grain-oil",
        "赣南茶油 2026 新榨 预售",
        "霜降采果 · 头道压榨 · 12 月起发货",
        "360733",
        (V("1.8 L", 1650, 16800, "pressed-1"),),
        brand="gannan-camellia-oil",
        standard=OIL,
        sale=(1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
        presale=(11, 12),
        stock=False,
    ),
    P(
        "oil-gift",
        "grain-oil",
        "赣南茶油 水酶法 礼盒",
        "水酶法低温提取 · 2 × 500 mL · 礼盒",
        "360726",
        (V("2 × 500 mL", 920, 25800, "aqueous-1"),),
        brand="gannan-camellia-oil",
        standard=OIL,
        certs=(ORG,),
    ),
    P(
        "oil-family",
        "grain-oil",
        "赣南茶油 压榨二级 家庭装",
        "日常炒菜 · 大桶更实惠",
        "360731",
        (V("5 L 桶装", 4600, 39800, "pressed-2"),),
        brand="gannan-camellia-oil",
        standard=OIL,
        sold=30,
    ),
    P(
        "oil-small",
        "grain-oil",
        "全南 山茶油 小瓶装",
        "高山野生油茶 · 冷榨",
        "360729",
        (V("250 mL", 230, 4800),),
    ),
    P(
        "noodles",
        "processed-food",
        "赣南米粉 石磨水浆 干米粉",
        "早籼米石磨水浆 · 爽滑筋道 · 煮炒皆宜",
        "360731",
        (V("2.5 kg 箱装", 2500, 4680),),
        brand="gannan-rice-noodles",
        sold=110,
    ),
    P(
        "noodles-fresh",
        "processed-food",
        "赣南米粉 湿米粉 早餐装",
        "当天现做 · 冷藏锁鲜 · 7 天内食用",
        "360702",
        (V("500 g × 4 袋", 2000, 2980),),
        brand="gannan-rice-noodles",
        storage=StorageClass.CHILLED,
    ),
    P(
        "stirfry",
        "processed-food",
        "赣南炒粉 调料包套装",
        "米粉 + 秘制酱料 · 10 分钟出锅",
        "360702",
        (V("4 人份", 1200, 3580),),
        brand="gannan-rice-noodles",
    ),
    P(
        "greens",
        "vegetables",
        "信丰 富硒时令蔬菜 组合箱",
        "当日采摘 · 5 种时令蔬菜 · 冷链到家",
        "360722",
        (V("5 kg 组合箱", 5000, 6880),),
        storage=StorageClass.CHILLED,
    ),
    P(
        "dried-yam",
        "dried-goods",
        "赣县 红薯干 农家晒制",
        "软糯香甜 · 无添加",
        "360704",
        (V("1 kg", 1000, 3280),),
    ),
    P(
        "honey-camellia",
        "honey",
        "全南 油茶花蜜",
        "冬季油茶花期采收 · 结晶细腻 · 中华蜂",
        "360729",
        (V("500 g 瓶装", 500, 8800),),
        certs=(ORG,),
    ),
    P(
        "honey-wild",
        "honey",
        "龙南 百花土蜂蜜",
        "中华蜂 · 一年一取 · 天然成熟蜜",
        "360783",
        (V("1 kg 瓶装", 1000, 12800),),
        sold=25,
    ),
    # never shown: delisted, a draft, a suspended supplier's
    P(
        "orange-delisted",
        "fresh-fruit",
        "赣南脐橙 寻乌 抽检下架果",
        "抽检不合格",
        "360734",
        (V("5 kg", 5000, 3980, "first"),),
        brand="gannan-navel-orange",
        standard=ORANGE,
        sale=ORANGE_SEASON,
        status=ProductStatus.DELISTED,
    ),
    P(
        "orange-draft",
        "fresh-fruit",
        "赣南脐橙 草稿",
        "未提交",
        "360734",
        (V("5 kg", 5000, 3980, "first"),),
        standard=ORANGE,
        sale=ORANGE_SEASON,
        status=ProductStatus.DRAFT,
    ),
    P(
        "orange-suspended",
        "fresh-fruit",
        "赣南脐橙 停业合作社",
        "供应商已暂停",
        "360734",
        (V("5 kg", 5000, 3980, "first"),),
        standard=ORANGE,
        sale=ORANGE_SEASON,
        supplier_status=SupplierStatus.SUSPENDED,
    ),
)
HIDDEN = {"peach", "lotus-fresh", "orange-delisted", "orange-draft", "orange-suspended"}


def load(session: Any = None, copy: int = 0) -> dict[str, int]:
    """Write the corpus (needs the reference data); returns product ids by key. Flushes.
    ``copy`` > 0 writes one more copy, by suppliers of other names (benchmarks)."""
    session = session or db.session
    suppliers: dict[tuple[str, SupplierStatus], Any] = {}
    warehouse = factories.WarehouseFactory()
    buyer = factories.consumer()
    ids: dict[str, int] = {}
    authorised: set[tuple[int, str]] = set()
    for n, p in enumerate(PRODUCTS):
        key = (p.county, p.supplier_status)
        supplier = suppliers.get(key)
        if supplier is None:
            place = COUNTIES[p.county]
            supplier = suppliers[key] = factories.SupplierFactory(
                name=f"{place}{'停业' if p.supplier_status != SupplierStatus.VERIFIED else ''}"
                f"{f'第{copy}' if copy else ''}农产品专业合作社",
                region_code=p.county,
                status=p.supplier_status,
            )
        if p.brand and (supplier.id, p.brand) not in authorised:
            factories.authorise(supplier, p.brand)
            authorised.add((supplier.id, p.brand))
        product = factories.ProductFactory(
            supplier=supplier,
            category=factories.category(p.category),
            grade_standard_id=factories.standard(p.standard).id if p.standard else None,
            brand_id=factories.brand(p.brand).id if p.brand else None,
            name=p.name,
            subtitle=p.subtitle,
            description=p.description or p.subtitle,
            origin_region_code=p.county,
            storage_class=p.storage,
            sale_months=list(p.sale),
            presale_months=list(p.presale),
            status=p.status,
            listed_at=datetime(2026, 11, 1, tzinfo=UTC).replace(day=1 + n % 28),
        )
        variants = []
        for i, v in enumerate(p.variants):
            variants.append(
                factories.VariantFactory(
                    product=product,
                    spec=v.spec,
                    net_weight_g=v.grams,
                    gross_weight_g=v.grams + 300,
                    price_fen=v.price,
                    list_price_fen=None,
                    grade_id=factories.grade(v.grade, p.standard).id if v.grade else None,
                    sort_order=i,
                )
            )
        for kind in p.certs:
            factories.CertificationFactory(
                supplier=supplier,
                product_id=product.id,
                kind=kind,
                scope=p.name[:20],
                valid_from=date(2025, 1, 1),
                valid_to=date(2028, 12, 31),
            )
        if p.stock:
            factories.StockFactory(warehouse=warehouse, variant=variants[0], on_hand=50)
        if p.sold:
            factories.paid_order(buyer, [(variants[0], p.sold, None)])
        ids[p.key] = product.id
    session.flush()
    return ids


# ----------------------------------------------------------------------------- relevance


@dataclass(frozen=True)
class Case:
    query: str
    expected: tuple[str, ...]  # any of these in the top 3 passes
    kind: str


def _c(kind: str, rows: list[tuple[str, str]]) -> list[Case]:
    return [Case(q, tuple(e.split()), kind) for q, e in rows]


ORANGES = "orange-xunwu orange-xinfeng-gift orange-anyuan-family orange-late"
OILS = "oil-pressed oil-new oil-gift oil-family oil-small"
RELEVANCE: list[Case] = [
    *_c(
        "chinese",
        [
            ("脐橙", ORANGES),
            ("赣南脐橙", ORANGES),
            ("蜜桔", "mandarin-xunwu mandarin-gift"),
            ("寻乌蜜桔", "mandarin-xunwu mandarin-gift"),
            ("甜柚", "pomelo pomelo-gift"),
            ("茶油", OILS),
            ("绿茶", "tea-mingqian tea-daily tea-presale"),
            ("板鸭", "duck duck-pieces"),
            ("白莲", "lotus lotus-core"),
            ("灰鹅", "goose goose-parts"),
            ("大米", "rice rice-family"),
            ("米粉", "noodles noodles-fresh"),
            ("蜂蜜", "honey-wild honey-camellia"),
            ("土鸡蛋", "eggs"),
            ("莲子心", "lotus-core"),
            ("猕猴桃", "kiwi"),
            ("红茶", "tea-black"),
        ],
    ),
    *_c(
        "phrase",
        [
            ("赣南 橙子", ORANGES),
            ("寻乌 脐橙", "orange-xunwu"),
            ("信丰 脐橙 礼盒", "orange-xinfeng-gift"),
            ("宁都 黄鸡", "chicken eggs"),
            ("石城 白莲", "lotus lotus-core"),
            ("上犹 绿茶 明前", "tea-mingqian tea-presale"),
            ("富硒 大米", "rice rice-family"),
            ("南安 板鸭 切块", "duck-pieces"),
        ],
    ),
    *_c(
        "pinyin",
        [
            ("qicheng", ORANGES),
            ("gannanqicheng", ORANGES),
            ("qi cheng", ORANGES),
            ("miju", "mandarin-xunwu mandarin-gift"),
            ("chayou", OILS),
            ("banya", "duck duck-pieces"),
            ("bailian", "lotus lotus-core"),
            ("mifen", "noodles noodles-fresh"),
            ("huie", "goose goose-parts"),
        ],
    ),
    *_c(
        "initials",
        [
            ("qc", ORANGES),
            ("gnqc", ORANGES),
            ("naby", "duck duck-pieces"),
            ("scbl", "lotus lotus-core"),
            ("xghe", "goose goose-parts"),
        ],
    ),
    *_c(
        "synonym",
        [
            ("橙子", ORANGES),
            ("山茶油", OILS),
            ("油茶籽油", OILS),
            ("橘子", "mandarin-xunwu mandarin-gift"),
            ("柚子", "pomelo pomelo-gift"),
            ("米线", "noodles noodles-fresh"),
            ("莲子", "lotus lotus-core"),
            ("土鸡", "chicken"),
        ],
    ),
    *_c(
        "typo",
        [
            ("脐澄", ORANGES),
            ("赣南齐橙", ORANGES),
            ("密桔", "mandarin-xunwu mandarin-gift"),
            ("qichen", ORANGES),
            ("板压", "duck duck-pieces"),
            ("白连", "lotus lotus-core"),
        ],
    ),
    *_c(
        "quantity",
        [
            ("茶油 5L", "oil-family"),
            ("脐橙 10斤", "orange-xunwu orange-anyuan-family orange-late orange-xinfeng-gift"),
            ("脐橙 10kg", "orange-anyuan-family"),
            ("大米 10kg", "rice-family"),
            ("茶油 500ml", "oil-gift"),
            ("大米 25公斤", "rice-family"),
        ],
    ),
]
FLOOR = 0.9  # share of queries with an expected product in the top 3, on each engine


@dataclass
class Score:
    hit_rate: float  # share of queries with an expected product in the top 3 (the floor)
    precision: float  # mean share of the top 3 that is expected (of what can be)
    mrr: float  # mean reciprocal rank of the first expected product (0 past rank 10)
    failures: list[tuple[Case, list[str]]]


def score(search: Any, ids: dict[str, int]) -> Score:
    """Run every case through ``search(q) -> [product ids]``."""
    keys = {v: k for k, v in ids.items()}
    failures = []
    precision = mrr = 0.0
    for case in RELEVANCE:
        ranked = [keys.get(i, str(i)) for i in search(case.query)[:10]]
        top = ranked[:3]
        good = set(case.expected)
        if not set(top) & good:
            failures.append((case, top))
        precision += len(set(top) & good) / min(3, len(good))
        first = next((n for n, key in enumerate(ranked, 1) if key in good), None)
        mrr += 1 / first if first else 0.0
    n = len(RELEVANCE)
    return Score(1 - len(failures) / n, precision / n, mrr / n, failures)
