"""统一社会信用代码 (Unified Social Credit Code), GB 32100-2015.

18 characters: registering authority (1), entity type (1), administrative division (6),
organisation code (9, GB 11714) and a check character computed over the first 17.
"""

from __future__ import annotations

from dataclasses import dataclass

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Registering authority → entity types it issues (GB 32100-2015 table 1).
ENTITY_TYPES = {
    "1": "129",  # 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体
    "2": "19",  # 外交
    "3": "12345",  # 司法行政
    "4": "19",  # 文化
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "19",  # 工会
    "9": "123",  # 工商 / 市场监管: 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业: 农村集体经济组织
    "Y": "1",  # 其他
}
ENTITY_NAMES = {
    "11": "机关",
    "12": "事业单位",
    "13": "中央编办直接管理机构编制的群众团体",
    "51": "社会团体",
    "52": "民办非企业单位",
    "53": "基金会",
    "91": "企业",
    "92": "个体工商户",
    "93": "农民专业合作社",
    "N1": "农村集体经济组织",
}


class USCCError(ValueError):
    """Why a code is not a valid 统一社会信用代码; ``reason`` is a stable key."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class USCC:
    code: str

    @property
    def authority(self) -> str:
        return self.code[0]

    @property
    def entity_type(self) -> str:
        return self.code[:2]

    @property
    def entity_name(self) -> str | None:
        return ENTITY_NAMES.get(self.entity_type)

    @property
    def division_code(self) -> str:
        """The registering administrative division (GB/T 2260, 6 digits)."""
        return self.code[2:8]

    @property
    def is_government_or_institution(self) -> bool:
        """机关 or 事业单位: a 行政事业单位 buyer."""
        return self.entity_type in ("11", "12")


def check_character(first17: str) -> str:
    """The 18th character for the first 17."""
    total = sum(CHARSET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalise(raw: str) -> str:
    return raw.strip().upper().replace(" ", "").replace("-", "")


def parse(raw: str) -> USCC:
    """Validate a code (length, characters, authority and type, division, check character)."""
    code = normalise(raw)
    if len(code) != 18:
        raise USCCError("length")
    bad = [ch for ch in code if ch not in CHARSET]
    if bad:
        raise USCCError("characters")
    if code[0] not in ENTITY_TYPES or code[1] not in ENTITY_TYPES[code[0]]:
        raise USCCError("entity_type")
    if not code[2:8].isdigit():
        raise USCCError("division")
    if check_character(code[:17]) != code[17]:
        raise USCCError("check_character")
    return USCC(code)


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except USCCError:
        return False
    return True


def make(prefix17: str) -> str:
    """Complete 17 characters with their check character (seeding and tests)."""
    prefix17 = normalise(prefix17)
    return prefix17 + check_character(prefix17)
