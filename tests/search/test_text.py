"""How a typed query is understood: pinyin, initials, quantities, synonyms."""

from __future__ import annotations

import pytest

from search import text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("脐橙", [("han", "脐橙")]),
        ("赣南 橙子", [("han", "赣南"), ("han", "橙子")]),
        ("qicheng", [("pinyin", "qicheng")]),
        ("QiCheng", [("pinyin", "qicheng")]),
        ("qc", [("initials", "qc")]),
        ("naby", [("initials", "naby")]),
        ("茶油 5L", [("quantity", "5000ml"), ("han", "茶油")]),
        ("大米10斤", [("quantity", "5000g"), ("han", "大米")]),
        ("２．５ｋｇ 蜜桔", [("quantity", "2500g"), ("han", "蜜桔")]),
        ("2 × 500 mL", [("quantity", "500ml"), ("number", "2")]),
    ],
)
def test_queries_split_into_terms_of_their_kind(query, expected):
    assert [(t.kind, t.text) for t in text.parse(query).terms] == expected


def test_pinyin_splits_into_syllables_with_the_fewest_pieces():
    assert text.split_pinyin("gannanqicheng") == ["gan", "nan", "qi", "cheng"]
    assert text.split_pinyin("xian") == ["xian"]
    assert text.split_pinyin("xi'an") == ["xi", "an"]
    assert text.split_pinyin("qich") is None
    assert text.split_pinyin("qich", allow_partial=True) == ["qi", "ch"]
    assert text.split_pinyin("hello") is None


def test_pinyin_and_initials_of_names_keep_words_apart():
    assert text.pinyin_text("赣南脐橙 寻乌") == "gan nan qi cheng | xun wu"
    assert text.initials_text("赣南脐橙 寻乌") == "g n q c | x w"
    assert text.syllables("绿茶") == ("lv", "cha")


def test_synonyms_come_from_the_data_file():
    assert "脐橙" in text.synonym_variants("橙子")
    assert "赣南脐橙" in text.synonym_variants("赣南橙子")
    assert {"油茶籽油", "山茶油"} <= set(text.synonym_variants("茶油"))
    assert text.synonym_variants("米粉") == ["米线", "粉干"]  # 米 alone is no synonym of 大米


def test_quantities_are_normalised():
    assert text.quantity_tokens("5 kg 75–80 mm") == ["5000g"]
    assert text.quantity_tokens("礼盒 6 个装") == ["6个"]
    assert text.quantity_tokens("1.8 L") == ["1800ml"]
