"""What the demo catalog is made of: the product templates (per regional brand in
``brand_templates``, local ones here), sidelines, SC licence codes and review reasons.

Names take ``{place}`` (the supplier's short name, e.g. 安西) and ``{county}`` (e.g. 信丰).
Prices are a reference; each supplier's price varies a little around it.
"""

from __future__ import annotations

from catalog.models import StorageClass
from catalog.seed.brand_templates import BRAND_TEMPLATES
from catalog.seed.template import (
    GF,
    GI,
    MOISTURE,
    NP,
    ORANGE_STD,
    ORG,
    PESTICIDE,
    Template,
    Test,
    V,
)

__all__ = ["BRAND_TEMPLATES", "GF", "GI", "NP", "ORANGE_STD", "ORG", "Template"]

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
