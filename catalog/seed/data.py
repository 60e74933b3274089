"""What the demo catalog is made of: product templates per regional brand, with believable names,
specs, grades (from the right standard), weights, prices and seasons.

Names take ``{place}`` (the supplier's short name, e.g. 安西) and ``{county}`` (e.g. 信丰).
Prices are a reference; each supplier's price varies a little around it.
"""

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

ORANGE_DESC = (
    "产自{county}{village}的{place}果园。果园位于海拔 300 米上下的丘陵红壤，光照足、昼夜温差大，"
    "果实糖分积累充分，果肉脆嫩化渣、甜酸适度。11 月中旬起分批采摘，现摘现发，不打蜡、不染色。\n"
    "出园前按 GB/T 21488-2008《脐橙》分等（特等 / 一等 / 二等），再按果径分选装箱；"
    "每箱附承诺达标合格证，扫码可查采收批次与检测结果。"
)

BRAND_TEMPLATES: dict[str, list[Template]] = {
    "gannan-navel-orange": [
        Template(
            key="orange-orchard",
            category="fresh-fruit",
            name="赣南脐橙 {place}果园 现摘现发",
            subtitle="{county}丘陵红壤 · 树上自然熟 · 坏果包赔",
            description=ORANGE_DESC,
            picture="orange",
            title="赣南脐橙",
            standard=ORANGE_STD,
            sale=(11, 12, 1, 2),
            presale=(10,),
            base="脐橙果园",
            produced_days_ago=(1, 9),
            tests=(PESTICIDE, BRIX),
            certifications=(GF, GI, NP),
            variants=(
                V("5 kg 65–70 mm", 5000, 5600, 3990, None, "second"),
                V("5 kg 70–75 mm", 5000, 5600, 5490, 6900, "first"),
                V("5 kg 75–80 mm", 5000, 5600, 6990, 8800, "premium"),
                V("10 kg 75–80 mm", 10000, 11000, 12900, 15800, "premium", 5),
            ),
        ),
        Template(
            key="orange-gift",
            category="fresh-fruit",
            name="赣南脐橙 {place} 特等果 礼盒装",
            subtitle="80–90 mm 精选大果 · 一果一码 · 送礼有面",
            description=ORANGE_DESC + "\n礼盒内衬蜂窝纸托，单果网套防震，适合走亲访友、企业福利。",
            picture="orange",
            title="特等果礼盒",
            standard=ORANGE_STD,
            sale=(11, 12, 1, 2),
            presale=(10,),
            base="脐橙果园",
            produced_days_ago=(1, 9),
            tests=(PESTICIDE, BRIX),
            certifications=(GF, NP),
            variants=(
                V("礼盒 12 枚 80–85 mm", 3000, 3600, 8900, 10800, "premium", 10),
                V("礼盒 5 kg 75–80 mm", 5000, 5900, 9800, 12800, "premium"),
                V("礼盒 5 kg 85–90 mm", 5000, 5900, 11800, 13800, "premium"),
            ),
        ),
        Template(
            key="orange-family",
            category="fresh-fruit",
            name="赣南脐橙 {place} 家庭装 中果",
            subtitle="自家吃更实惠 · 一等 / 二等果 · 果径 65–75 mm",
            description=ORANGE_DESC,
            picture="orange",
            title="家庭装",
            standard=ORANGE_STD,
            sale=(11, 12, 1, 2),
            presale=(10,),
            base="脐橙果园",
            produced_days_ago=(1, 9),
            tests=(PESTICIDE, BRIX),
            variants=(
                V("4.5 kg 65–70 mm", 4500, 5000, 3590, None, "second"),
                V("9 kg 65–70 mm", 9000, 9800, 6590, None, "second"),
                V("9 kg 70–75 mm", 9000, 9800, 8590, 9900, "first"),
            ),
        ),
        Template(
            key="orange-late",
            category="fresh-fruit",
            name="赣南脐橙 纽荷尔 留树晚采 {place}",
            subtitle="12 月中旬后采摘 · 留树保鲜 · 糖度更高",
            description="纽荷尔脐橙在树上多挂一个月再采，果肉更甜、香气更足。"
            "现在下单锁定首批晚采果，12 月中旬起按下单顺序发货。\n"
            "按 GB/T 21488-2008 分等分级，果径分选后装箱。",
            picture="orange",
            title="留树晚采",
            standard=ORANGE_STD,
            sale=(12, 1, 2, 3),
            presale=(11,),
            base="脐橙果园",
            tests=(PESTICIDE, BRIX),
            variants=(
                V("5 kg 75–80 mm", 5000, 5600, 7990, 9900, "premium", 5),
                V("5 kg 70–75 mm", 5000, 5600, 6290, 7500, "first", 5),
            ),
        ),
    ],
    "xunwu-mandarin": [
        Template(
            key="mandarin",
            category="fresh-fruit",
            name="寻乌蜜桔 {place}果园 薄皮化渣",
            subtitle="寻乌丘陵红壤 · 皮薄汁多 · 现摘现发",
            description="寻乌县地处赣粤闽三省交界，{village}一带的丘陵红壤适合柑桔生长。"
            "{place}果园的蜜桔皮薄易剥、汁多化渣，10 月下旬起陆续采摘。\n"
            "果实采后 24 小时内分选装箱发出；常温阴凉处可存放 2 周。",
            picture="mandarin",
            title="寻乌蜜桔",
            sale=(10, 11, 12),
            presale=(9,),
            shelf_life_days=20,
            base="蜜桔果园",
            produced_days_ago=(2, 14),
            tests=(PESTICIDE, BRIX),
            certifications=(GF, GI),
            variants=(
                V("2.5 kg 中果 55–65 mm", 2500, 2900, 2990),
                V("5 kg 中果 55–65 mm", 5000, 5600, 4990, 5900),
                V("5 kg 大果 65–75 mm", 5000, 5600, 5990, 6900),
            ),
        ),
        Template(
            key="mandarin-gift",
            category="fresh-fruit",
            name="寻乌蜜桔 {place} 精选礼盒",
            subtitle="单果套袋 · 甜度 ≥ 12° · 礼盒包装",
            description="从{place}果园的向阳坡挑选个头匀称、着色好的蜜桔，单果套袋，礼盒包装。",
            picture="mandarin",
            title="蜜桔礼盒",
            sale=(10, 11, 12),
            presale=(9,),
            shelf_life_days=20,
            base="蜜桔果园",
            produced_days_ago=(2, 14),
            tests=(PESTICIDE, BRIX),
            variants=(V("礼盒 4 kg 精选果", 4000, 4800, 6900, 8800, None, 10),),
        ),
    ],
    "nankang-pomelo": [
        Template(
            key="pomelo",
            category="fresh-fruit",
            name="南康甜柚 {place} 树上熟",
            subtitle="果肉脆嫩清甜 · 耐贮存 · 2 个起发",
            description="南康甜柚果大皮薄，果肉脆嫩、清甜少籽，常温可存放两个月，"
            "有“天然水果罐头”之称。{place}的柚园在{village}，树上自然成熟后采摘。",
            picture="pomelo",
            title="南康甜柚",
            sale=(10, 11, 12, 1),
            presale=(9,),
            shelf_life_days=60,
            base="甜柚园",
            produced_days_ago=(3, 20),
            tests=(PESTICIDE, BRIX),
            certifications=(GF, NP),
            variants=(
                V("2 个装 约 3 kg", 3000, 3400, 3990),
                V("4 个装 约 6 kg", 6000, 6600, 6990, 7990),
            ),
        ),
        Template(
            key="pomelo-gift",
            category="fresh-fruit",
            name="南康甜柚 {place} 礼盒 6 个装",
            subtitle="精选单果 1.3 kg 以上 · 网套防震",
            description="挑选单果 1.3 kg 以上的甜柚，网套加纸托防震，适合年节送礼。",
            picture="pomelo",
            title="甜柚礼盒",
            sale=(10, 11, 12, 1),
            presale=(9,),
            shelf_life_days=60,
            base="甜柚园",
            produced_days_ago=(3, 20),
            tests=(PESTICIDE,),
            variants=(V("礼盒 6 个 约 8 kg", 8000, 9000, 9900, 12800),),
        ),
    ],
    "shangyou-green-tea": [
        Template(
            key="tea-mingqian",
            category="tea",
            name="上犹绿茶 {place} 明前特级",
            subtitle="2026 年明前采摘 · 一芽一叶初展 · 高山云雾",
            description="上犹县地处罗霄山脉南端，茶园常年云雾缭绕。清明前采摘一芽一叶初展的鲜叶，"
            "经摊青、杀青、揉捻、烘干制成，条索紧细、色泽翠绿，汤色嫩绿明亮，栗香持久。\n"
            "冲泡：80–85 °C 水，3 g 茶配 150 mL 水。密封避光冷藏可保存 18 个月。",
            picture="tea",
            title="明前特级",
            shelf_life_days=540,
            processed=True,
            produced_days_ago=(225, 245),
            base="高山茶园",
            tests=(PESTICIDE, MOISTURE),
            certifications=(ORG, GF, GI),
            variants=(
                V("50 g 罐装", 50, 180, 9800, 12800),
                V("100 g 罐装", 100, 260, 18800, 22800),
                V("250 g 礼盒（2 罐）", 250, 780, 39800, 45800, None, 5),
            ),
        ),
        Template(
            key="tea-daily",
            category="tea",
            name="上犹绿茶 {place} 雨前一级 口粮茶",
            subtitle="谷雨前采摘 · 耐冲泡 · 袋装实惠",
            description="谷雨前采摘的一芽二叶，滋味浓醇、耐冲泡，适合每天喝的口粮茶。",
            picture="tea",
            title="雨前口粮茶",
            shelf_life_days=540,
            processed=True,
            produced_days_ago=(200, 220),
            base="高山茶园",
            tests=(PESTICIDE, MOISTURE),
            variants=(
                V("250 g 袋装", 250, 290, 8800),
                V("500 g 袋装", 500, 560, 16800, 19800),
            ),
        ),
        Template(
            key="tea-presale",
            category="tea",
            name="上犹绿茶 2027 明前头采 {place} 预订",
            subtitle="2027 年 3 月开采 · 预订锁定头采 · 采后 3 日内发出",
            description="明前头采产量少，提前预订锁定份额。2027 年 3 月中旬开采，"
            "制成后 3 日内按预订顺序发出。",
            picture="tea",
            title="明前头采 预订",
            sale=(3, 4, 5, 6),
            presale=(11, 12, 1, 2),
            shelf_life_days=540,
            processed=True,
            base="高山茶园",
            variants=(V("100 g 罐装 头采", 100, 260, 16800, 19800, None, 3),),
        ),
    ],
    "ningdu-yellow-chicken": [
        Template(
            key="chicken",
            category="meat-poultry",
            name="宁都黄鸡 {place} 林下散养 冰鲜整鸡",
            subtitle="散养 180 天以上 · 当日屠宰 · 冷链直发",
            description="宁都黄鸡是宁都县的地方鸡种，在{village}的林下散养 180 天以上，"
            "以稻谷、玉米和青草为食，皮黄肉嫩、鸡味浓。定点屠宰、检疫合格后冰鲜冷链发出，"
            "收到后 0–4 °C 冷藏，5 天内食用。",
            picture="chicken",
            title="宁都黄鸡",
            storage=StorageClass.CHILLED,
            shelf_life_days=5,
            base="林下养殖场",
            produced_days_ago=(0, 2),
            tests=(CLENBUTEROL,),
            certifications=(GF, GI),
            variants=(
                V("1 只 约 1.25 kg", 1250, 1800, 11800, 13800, None, 4),
                V("2 只装 约 2.5 kg", 2500, 3400, 21900, 25800, None, 2),
            ),
        ),
        Template(
            key="eggs",
            category="meat-poultry",
            name="宁都黄鸡 {place} 散养土鸡蛋",
            subtitle="林下散养母鸡 · 蛋黄饱满 · 破损包赔",
            description="林下散养的宁都黄鸡所产鸡蛋，蛋黄饱满、颜色橙黄。逐枚照蛋、"
            "蛋托加气柱袋包装，破损包赔。",
            picture="eggs",
            title="散养土鸡蛋",
            shelf_life_days=30,
            base="林下养殖场",
            produced_days_ago=(1, 5),
            tests=(Test("氟苯尼考等兽药残留", "胶体金免疫层析法", "阴性"),),
            variants=(
                V("30 枚 约 1.5 kg", 1500, 2200, 4990, 5990),
                V("60 枚 约 3 kg", 3000, 4200, 8990, 10800),
            ),
        ),
    ],
    "nanan-salted-duck": [
        Template(
            key="duck",
            category="processed-food",
            name="南安板鸭 {place} 传统腊味",
            subtitle="大余传统工艺 · 皮白肉红 · 骨脆肉香",
            description="南安板鸭是大余县的传统腊味，立冬后选用当年麻鸭，经盐腌、压板、"
            "晾晒制成，皮白肉红、骨脆肉香。蒸、炒、煲仔饭皆宜。\n"
            "阴凉干燥处存放，开袋后请冷藏。",
            picture="duck",
            title="南安板鸭",
            sale=(11, 12, 1, 2),
            presale=(10,),
            shelf_life_days=180,
            processed=True,
            produced_days_ago=(6, 16),
            base="板鸭加工厂",
            tests=(NITRITE, Test("过氧化值（以脂肪计）", "GB 5009.227-2023", "0.{n} g/100g")),
            certifications=(GI, NP),
            variants=(
                V("单只 500 g", 500, 650, 6800, 7800),
                V("2 只装 1 kg", 1000, 1250, 12800, 14800),
                V("礼盒 3 只 1.5 kg", 1500, 2100, 19800, 23800, None, 10),
            ),
        ),
        Template(
            key="duck-pieces",
            category="processed-food",
            name="南安板鸭 {place} 切块即蒸装",
            subtitle="开袋即蒸 · 独立小包 · 一人食",
            description="整只板鸭切块分装，开袋上锅蒸 20 分钟即可。",
            picture="duck",
            title="板鸭切块",
            sale=(11, 12, 1, 2),
            presale=(10,),
            shelf_life_days=180,
            processed=True,
            produced_days_ago=(6, 16),
            base="板鸭加工厂",
            tests=(NITRITE,),
            variants=(V("250 g × 2 袋", 500, 600, 5990, 6900),),
        ),
    ],
    "shicheng-white-lotus": [
        Template(
            key="lotus",
            category="dried-goods",
            name="石城白莲 {place} 通芯白莲",
            subtitle="手工去皮通芯 · 粒大饱满 · 久煮不散",
            description="石城是“中国白莲之乡”。{village}的莲田 7–9 月采收，鲜莲经手工去皮、"
            "通芯、烘干，粒大饱满、色泽白中带黄，久煮不散、汤色清。\n"
            "适合莲子羹、银耳莲子汤、煲汤。密封置阴凉干燥处。",
            picture="lotus",
            title="通芯白莲",
            shelf_life_days=365,
            base="白莲基地",
            produced_days_ago=(80, 110),
            tests=(SULFITE, MOISTURE),
            certifications=(GI, NP, ORG),
            variants=(
                V("500 g 袋装", 500, 560, 5990, 6900),
                V("1 kg 礼盒", 1000, 1300, 11800, 13800),
            ),
        ),
        Template(
            key="lotus-fresh",
            category="dried-goods",
            name="石城白莲 {place} 鲜莲蓬 预订",
            subtitle="2027 年 7 月采摘 · 冷链直发",
            description="盛夏清晨采摘的新鲜莲蓬，剥开即食，清甜脆嫩。采摘当天冷链发出。",
            picture="lotus",
            title="鲜莲蓬",
            storage=StorageClass.CHILLED,
            shelf_life_days=5,
            sale=(7, 8),
            presale=(5, 6),
            base="白莲基地",
            variants=(V("10 个装", 1500, 2200, 4990),),
        ),
        Template(
            key="lotus-core",
            category="dried-goods",
            name="石城白莲 {place} 莲子心",
            subtitle="通芯时取出的莲心 · 清香微苦 · 泡茶",
            description="白莲通芯时取出的莲子心，晒干后泡水饮用，清香微苦。",
            picture="lotus",
            title="莲子心",
            shelf_life_days=365,
            base="白莲基地",
            produced_days_ago=(80, 110),
            tests=(MOISTURE,),
            variants=(V("100 g 罐装", 100, 200, 2990),),
        ),
    ],
    "xingguo-grey-goose": [
        Template(
            key="goose",
            category="meat-poultry",
            name="兴国灰鹅 {place} 草饲整鹅",
            subtitle="放养 120 天 · 急冻锁鲜 · 冷链配送",
            description="兴国灰鹅以青草为主食，在{village}的山塘边放养 120 天以上，"
            "肉质细嫩、脂肪少。定点屠宰检疫后 −35 °C 急冻，−18 °C 冷链配送。",
            picture="goose",
            title="兴国灰鹅",
            storage=StorageClass.FROZEN,
            shelf_life_days=180,
            base="灰鹅养殖场",
            produced_days_ago=(5, 30),
            tests=(CLENBUTEROL,),
            certifications=(GI,),
            variants=(
                V("整只 约 3 kg", 3000, 3800, 16800, 19800, None, 3),
                V("半只 约 1.5 kg", 1500, 2000, 8900),
            ),
        ),
        Template(
            key="goose-parts",
            category="meat-poultry",
            name="兴国灰鹅 {place} 鹅腿鹅翅组合",
            subtitle="分割冷冻 · 红烧炖汤皆宜",
            description="灰鹅分割后急冻，独立包装，取用方便。",
            picture="goose",
            title="鹅腿鹅翅",
            storage=StorageClass.FROZEN,
            shelf_life_days=180,
            base="灰鹅养殖场",
            produced_days_ago=(5, 30),
            tests=(CLENBUTEROL,),
            variants=(
                V("鹅腿 4 只 约 1.2 kg", 1200, 1600, 9900),
                V("鹅翅 1 kg", 1000, 1400, 6900),
            ),
        ),
    ],
    "gannan-selenium-rice": [
        Template(
            key="rice",
            category="grain-oil",
            name="赣南富硒大米 {place} 2026 新米",
            subtitle="富硒红壤种植 · 硒含量 ≥ 0.04 mg/kg · 当季新米",
            description="稻田位于{county}{village}的富硒红壤区，一季中稻，9–10 月收割，"
            "低温仓储、现碾现发。米粒细长油润，煮饭清香软糯。\n"
            "按 GB/T 1354-2018《大米》分等，含硒量经检测达到富硒稻谷要求。",
            picture="rice",
            title="富硒新米",
            standard=RICE_STD,
            shelf_life_days=365,
            processed=True,
            produced_days_ago=(5, 30),
            base="富硒稻田",
            tests=(CADMIUM, SELENIUM),
            certifications=(GF, ORG, NP),
            variants=(
                V("5 kg 籼米一级", 5000, 5150, 4990, 5990, "indica-1"),
                V("10 kg 籼米一级", 10000, 10250, 8990, 9990, "indica-1"),
                V("5 kg 优质籼米一级", 5000, 5150, 6990, 7990, "premium-indica-1"),
            ),
        ),
        Template(
            key="rice-glutinous",
            category="grain-oil",
            name="赣南富硒糯米 {place}",
            subtitle="包粽子、做米果 · 黏糯香甜",
            description="本地籼糯稻，适合包粽子、打糍粑、做客家米果。",
            picture="rice",
            title="富硒糯米",
            standard=RICE_STD,
            shelf_life_days=365,
            processed=True,
            produced_days_ago=(5, 30),
            base="富硒稻田",
            tests=(CADMIUM,),
            variants=(
                V("2.5 kg 籼糯米一级", 2500, 2600, 3590, None, "glutinous-indica-1"),
                V("5 kg 籼糯米一级", 5000, 5150, 6590, None, "glutinous-indica-1"),
            ),
        ),
        Template(
            key="rice-family",
            category="grain-oil",
            name="赣南富硒大米 {place} 家庭装",
            subtitle="籼米二级 · 粒粒饱满 · 食堂、家庭之选",
            description="大包装更实惠，适合家庭和单位食堂。按 GB/T 1354-2018 籼米二级。",
            picture="rice",
            title="家庭装大米",
            standard=RICE_STD,
            shelf_life_days=365,
            processed=True,
            produced_days_ago=(5, 30),
            base="富硒稻田",
            tests=(CADMIUM,),
            variants=(
                V("10 kg 籼米二级", 10000, 10250, 6990, None, "indica-2"),
                V("25 kg 籼米二级", 25000, 25400, 15900, None, "indica-2", 4),
            ),
        ),
    ],
    "gannan-camellia-oil": [
        Template(
            key="oil",
            category="grain-oil",
            name="赣南高山压榨茶油 {place}",
            subtitle="物理压榨 · 压榨一级 · 高烟点耐储存",
            description="油茶林在{county}{village}的山地，霜降前后采摘茶果，晒果、剥籽后物理压榨，"
            "经过滤制成成品油茶籽油。色泽金黄、清香不腻，烟点高，适合炒菜、凉拌和月子餐。\n"
            "按 GB/T 11765-2018《油茶籽油》：压榨成品油茶籽油 一级。",
            picture="oil",
            title="压榨茶油",
            standard=OIL_STD,
            shelf_life_days=540,
            processed=True,
            produced_days_ago=(240, 320),
            base="油茶林",
            tests=(ACID, PEROXIDE, BAP),
            certifications=(GF, ORG, GI, NP),
            variants=(
                V("500 mL", 455, 800, 8900, 9900, "pressed-1"),
                V("2.5 L", 2275, 2700, 36800, 42800, "pressed-1"),
                V("5 L", 4550, 5200, 69800, 79800, "pressed-1", 5),
            ),
        ),
        Template(
            key="oil-new",
            category="grain-oil",
            name="赣南茶油 {place} 2026 新榨 预售",
            subtitle="霜降采果 · 头道压榨 · 12 月起发货",
            description="今年霜降采下的油茶果正在晾晒，12 月起压榨灌装，按下单顺序发货。",
            picture="oil",
            title="新榨茶油 预售",
            standard=OIL_STD,
            sale=(12, 1, 2, 3),
            presale=(11,),
            shelf_life_days=540,
            processed=True,
            base="油茶林",
            variants=(V("2.5 L 压榨一级", 2275, 2700, 39800, 45800, "pressed-1", 4),),
        ),
        Template(
            key="oil-gift",
            category="grain-oil",
            name="赣南茶油 {place} 水酶法 礼盒",
            subtitle="水酶法低温提取 · 2 × 500 mL · 礼盒",
            description="水酶法在较低温度下提取茶油，风味清淡。"
            "按 GB/T 11765-2018：水酶法成品油茶籽油 一级。",
            picture="oil",
            title="茶油礼盒",
            standard=OIL_STD,
            shelf_life_days=540,
            processed=True,
            produced_days_ago=(240, 320),
            base="油茶林",
            tests=(ACID, PEROXIDE),
            variants=(V("礼盒 2 × 500 mL", 910, 1900, 19800, 23800, "aqueous-1"),),
        ),
        Template(
            key="oil-family",
            category="grain-oil",
            name="赣南茶油 {place} 压榨二级 家庭装",
            subtitle="日常炒菜 · 大桶更实惠",
            description="按 GB/T 11765-2018：压榨成品油茶籽油 二级，日常炒菜用油。",
            picture="oil",
            title="家庭装茶油",
            standard=OIL_STD,
            shelf_life_days=540,
            processed=True,
            produced_days_ago=(240, 320),
            base="油茶林",
            tests=(ACID, PEROXIDE),
            variants=(V("5 L 压榨二级", 4550, 5200, 49800, 56800, "pressed-2"),),
        ),
    ],
    "gannan-rice-noodles": [
        Template(
            key="noodles",
            category="processed-food",
            name="赣南米粉 {place} 石磨水浆 干米粉",
            subtitle="早籼米石磨水浆 · 爽滑筋道 · 煮炒皆宜",
            description="选用本地早籼米，浸泡后石磨水浆、蒸片、切条、晾晒，不添加明矾。"
            "煮 3 分钟即软，爽滑有筋道，炒粉不易断。",
            picture="noodles",
            title="赣南米粉",
            shelf_life_days=365,
            processed=True,
            produced_days_ago=(3, 20),
            base="米粉加工厂",
            tests=(SULFITE, MOISTURE),
            certifications=(GF, NP),
            variants=(
                V("1 kg 袋装", 1000, 1080, 1990),
                V("2.5 kg 箱装", 2500, 2800, 4500, 5200),
                V("5 kg 箱装", 5000, 5500, 8500, 9800),
            ),
        ),
        Template(
            key="noodles-fresh",
            category="processed-food",
            name="赣南米粉 {place} 湿米粉 早餐装",
            subtitle="当天现做 · 冷藏锁鲜 · 7 天内食用",
            description="当天现做的湿米粉，冷藏配送，开水烫 30 秒即可。",
            picture="noodles",
            title="湿米粉",
            storage=StorageClass.CHILLED,
            shelf_life_days=7,
            processed=True,
            produced_days_ago=(0, 2),
            base="米粉加工厂",
            tests=(Test("菌落总数", "GB 4789.2-2022", "合格"),),
            variants=(V("500 g × 4 袋", 2000, 2300, 2990),),
        ),
        Template(
            key="noodles-stirfry",
            category="processed-food",
            name="赣南炒粉 {place} 调料包套装",
            subtitle="米粉 + 秘制酱料 · 10 分钟出锅",
            description="赣州街头炒粉的做法：米粉泡软，配料包下锅翻炒即可。",
            picture="noodles",
            title="赣南炒粉",
            shelf_life_days=270,
            processed=True,
            produced_days_ago=(10, 40),
            base="米粉加工厂",
            tests=(MOISTURE,),
            variants=(V("6 人份", 1200, 1400, 3990, 4990),),
        ),
    ],
}

# Products a supplier makes without a regional brand (its county is outside the brand's region,
# or the product has none).
LOCAL_TEMPLATES: dict[str, list[Template]] = {
    "tea": [
        Template(
            key="local-green-tea",
            category="tea",
            name="{place}高山绿茶 明前一级",
            subtitle="{county}高山云雾 · 明前采摘 · 罐装",
            description="{county}{village}的高山茶园，清明前采摘，条索紧结、栗香浓郁。",
            picture="tea",
            title="高山绿茶",
            shelf_life_days=540,
            processed=True,
            produced_days_ago=(225, 245),
            base="高山茶园",
            tests=(PESTICIDE, MOISTURE),
            certifications=(ORG,),
            variants=(
                V("100 g 罐装", 100, 260, 12800, 14800),
                V("250 g 袋装", 250, 290, 19800),
            ),
        ),
        Template(
            key="local-black-tea",
            category="tea",
            name="{place}高山红茶 工夫红茶",
            subtitle="夏茶制红 · 蜜香甜润",
            description="夏季鲜叶经萎凋、揉捻、发酵、烘干制成工夫红茶，汤色红亮、蜜香甜润。",
            picture="tea",
            title="工夫红茶",
            shelf_life_days=720,
            processed=True,
            produced_days_ago=(120, 160),
            base="高山茶园",
            tests=(PESTICIDE,),
            variants=(V("150 g 罐装", 150, 320, 13800),),
        ),
    ],
    "greens": [
        Template(
            key="greens",
            category="vegetables",
            name="{county}{place} 富硒时令蔬菜 组合箱",
            subtitle="当日采摘 · 5 种时令蔬菜 · 冷链到家",
            description="{village}蔬菜基地当天采摘的时令蔬菜 5 种（随季节搭配：菜心、芥菜、"
            "萝卜、黄瓜、番茄等），预冷后冷链发出。收到后请冷藏，3 天内食用。",
            picture="greens",
            title="时令蔬菜",
            storage=StorageClass.CHILLED,
            shelf_life_days=5,
            base="蔬菜基地",
            produced_days_ago=(0, 1),
            tests=(PESTICIDE,),
            certifications=(GF,),
            variants=(
                V("组合箱 2.5 kg", 2500, 3000, 3990),
                V("组合箱 5 kg", 5000, 5800, 6990, 7990),
            ),
        ),
    ],
    "honey": [
        Template(
            key="honey-camellia",
            category="honey",
            name="{place} 油茶花蜜",
            subtitle="冬季油茶花期采收 · 结晶细腻 · 中华蜂",
            description="每年 11 月至次年 1 月油茶花开，中华蜂在{village}的油茶林采蜜，"
            "一年只取一次。油茶花蜜易结晶，结晶细腻如脂，属正常现象。",
            picture="honey",
            title="油茶花蜜",
            shelf_life_days=730,
            processed=True,
            produced_days_ago=(280, 310),
            base="中华蜂养殖场",
            tests=(Test("果糖和葡萄糖", "GB 5009.8-2023", "7{n}.4 g/100g"),),
            certifications=(ORG,),
            variants=(
                V("500 g 瓶装", 500, 800, 6800, 7800),
                V("1 kg 瓶装", 1000, 1400, 12800),
            ),
        ),
        Template(
            key="honey-wild",
            category="honey",
            name="{place} 百花土蜂蜜",
            subtitle="中华蜂 · 一年一取 · 天然成熟蜜",
            description="山区中华蜂采百花酿成，一年一取，波美度高、香气浓郁。",
            picture="honey",
            title="百花土蜂蜜",
            shelf_life_days=730,
            processed=True,
            produced_days_ago=(30, 60),
            base="中华蜂养殖场",
            tests=(Test("果糖和葡萄糖", "GB 5009.8-2023", "6{n}.8 g/100g"),),
            variants=(V("500 g 瓶装", 500, 800, 8800, 9800),),
        ),
    ],
}
# A brand slug → local templates to use when the supplier's county lies outside the brand.
LOCAL_FALLBACK = {"shangyou-green-tea": "tea"}
# Extra lines of business from the supplier's name.
NAME_EXTRAS = {"蔬菜": "greens", "蜂": "honey"}

# 食品生产许可 (SC) food category codes (类别编号) by catalog category and product key.
SC_CATEGORY = {
    "grain-oil": "101",  # 粮食加工品 (大米); camellia oil is 102, see SC_BY_TEMPLATE
    "tea": "114",  # 茶叶及相关制品
    "processed-food": "101",  # 米粉 is 粮食加工品; 板鸭 is 104, see SC_BY_TEMPLATE
    "honey": "126",  # 蜂产品
}
SC_BY_TEMPLATE_PREFIX = {"oil": "102", "duck": "104"}
SC_SCOPE = {
    "101": "粮食加工品",
    "102": "食用油、油脂及其制品（食用植物油）",
    "104": "肉制品（腌腊肉制品）",
    "114": "茶叶及相关制品（茶叶）",
    "126": "蜂产品（蜂蜜）",
}

REJECTION_REASONS = [
    "主图与商品不符，请上传本批次实拍图。",
    "规格中的果径与等级标注不一致，请按 GB/T 21488-2008 核对后再提交。",
    "缺少本批次农药残留检测结果，请补充后提交。",
]
DELIST_REASON = "本季已售罄，供应商申请下架。"
