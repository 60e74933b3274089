"""Text for search, the same for both engines: normalising, pinyin, quantities, synonyms and
the parsed query.

Pinyin is computed here (pypinyin) at index time into fields of its own, one syllable per Han
character (``赣南脐橙`` → ``gan nan qi cheng``, initials ``g n q c``), so that a typed
``qicheng``, ``qi cheng`` or ``qc`` is a phrase of syllables or initials on those fields — no
pinyin plugin is needed on the Elasticsearch cluster. A typed query is split into terms of four
kinds: Han text (``脐橙``), pinyin (``qicheng``, split into syllables), initials (``gnqc``) and
quantities (``5L``, ``2.5 kg``, ``10斤``), which match the variants' normalised specs.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pypinyin import Style, lazy_pinyin

# The syllables of Mandarin as pypinyin writes them (ü as v), for splitting typed pinyin.
_SYLLABLES = """
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong bu ca
cai can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng chi chong chou chu
chua chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de
dei den deng di dia dian diao die din ding diu dong dou du duan dui dun duo e ei en eng er fa
fan fang fei fen feng fiao fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai
guan guang gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui
hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke
kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei len leng li
lia lian liang liao lie lin ling liu lo long lou lu luan lun luo lv lve ma mai man mang mao me
mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nia
nian niang niao nie nin ning niu nong nou nu nuan nun nuo nv nve o ou pa pai pan pang pao pei
pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu
quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao
se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang
shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te tei teng ti tian tiao tie
ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wong wu xi xia xian xiang
xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan
yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi
zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo
"""
SYLLABLES = frozenset(_SYLLABLES.split())
MAX_SYLLABLE = max(map(len, SYLLABLES))
SYLLABLE_PREFIXES = frozenset(s[:i] for s in SYLLABLES for i in range(1, len(s) + 1))

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
SEPARATORS = re.compile(r"[\s·•,，、;；/|｜()（）\[\]【】「」《》“”\"'!！?？:：+＋×*~～\-–—_]+")
NUMBER_UNIT = re.compile(
    r"(\d+(?:\.\d+)?)\s*(kg|千克|公斤|g|克|斤|ml|毫升|l|升|个|只|瓶|罐|袋|盒|箱|枚|片)(?![a-z])",
    re.IGNORECASE,
)
UNITS = {
    "kg": ("g", 1000),
    "千克": ("g", 1000),
    "公斤": ("g", 1000),
    "g": ("g", 1),
    "克": ("g", 1),
    "斤": ("g", 500),
    "ml": ("ml", 1),
    "毫升": ("ml", 1),
    "l": ("ml", 1000),
    "升": ("ml", 1000),
}
COUNTS = {"个", "只", "瓶", "罐", "袋", "盒", "箱", "枚", "片"}
WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z']+|\d+")
MAX_QUERY = 100  # characters of a query that are looked at


def normalise(text: str | None) -> str:
    """NFKC (full-width to half-width), lower case, one space between words."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return " ".join(text.split())


def has_han(text: str) -> bool:
    return bool(HAN.search(text))


# ----------------------------------------------------------------------------- pinyin


@functools.lru_cache(maxsize=4096)
def syllables(text: str) -> tuple[str, ...]:
    """One pinyin syllable per Han character of ``text``; other characters are dropped."""
    out: list[str] = []
    for run in HAN_RUN.findall(text):
        out.extend(lazy_pinyin(run, style=Style.NORMAL, errors="ignore"))
    return tuple(s for s in out if s)


def pinyin_text(text: str) -> str:
    """``赣南脐橙 寻乌`` → ``gan nan qi cheng | xun wu``: syllables per Han run, runs apart.

    The ``|`` keeps a phrase from matching across two words that were apart in the text
    (Elasticsearch: a position gap; the SQL engine: a non-syllable token)."""
    runs = [" ".join(syllables(run)) for run in HAN_RUN.findall(normalise(text))]
    return " | ".join(r for r in runs if r)


def initials_text(text: str) -> str:
    """``赣南脐橙 寻乌`` → ``g n q c | x w`` (first letters, as typed in 拼音首字母)."""
    return " | ".join(
        " ".join(s[0] for s in syllables(run)) for run in HAN_RUN.findall(normalise(text))
    )


def split_pinyin(word: str, allow_partial: bool = False) -> list[str] | None:
    """``qicheng`` → ``['qi', 'cheng']``; None when ``word`` is not pinyin.

    Fewest syllables wins (``xian`` → ``xian``, not ``xi an``); an apostrophe separates
    (``xi'an``). With ``allow_partial`` the last syllable may be unfinished (``qich``)."""
    word = word.lower()
    if not word or not word.replace("'", "").isalpha() or not word.isascii():
        return None
    parts: list[str] = []
    for chunk in word.split("'"):
        if not chunk:
            continue
        split = _split_chunk(chunk, allow_partial)
        if split is None:
            return None
        parts += split
    return parts or None


@functools.lru_cache(maxsize=4096)
def _split_chunk(chunk: str, allow_partial: bool) -> list[str] | None:
    n = len(chunk)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 1, min(n, i + MAX_SYLLABLE) + 1):
            piece = chunk[i:j]
            ok = piece in SYLLABLES or (allow_partial and j == n and piece in SYLLABLE_PREFIXES)
            if ok:
                candidate = [*best[i], piece]  # type: ignore[misc]
                if best[j] is None or len(candidate) < len(best[j]):  # type: ignore[arg-type]
                    best[j] = candidate
    return best[n]


# ----------------------------------------------------------------------------- quantities


def quantity_tokens(text: str) -> list[str]:
    """Normalised quantities in ``text``: ``5 kg`` → ``5000g``, ``10斤`` → ``5000g``,
    ``2 × 500 mL`` → ``500ml``, ``6 个装`` → ``6个``."""
    out: list[str] = []
    for number, unit in NUMBER_UNIT.findall(normalise(text)):
        value = float(number)
        unit = unit.lower()
        if unit in UNITS:
            base, factor = UNITS[unit]
            token = f"{value * factor:g}{base}"
        elif unit in COUNTS:
            token = f"{value:g}个"
        else:  # pragma: no cover - the pattern lists every unit
            continue
        if token not in out:
            out.append(token)
    return out


def weight_token(grams: int) -> str:
    return f"{grams:g}g"


# ----------------------------------------------------------------------------- synonyms

SYNONYMS_FILE = Path(__file__).parent / "data" / "synonyms.txt"


@functools.lru_cache(maxsize=1)
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """Groups of words that mean the same product (``search/data/synonyms.txt``, Solr format:
    ``橙子, 脐橙`` per line; ``#`` comments)."""
    groups = []
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        words = tuple(dict.fromkeys(normalise(w) for w in line.split(",") if w.strip()))
        if len(words) > 1:
            groups.append(words)
    return tuple(groups)


def synonym_variants(term: str, limit: int = 6) -> list[str]:
    """Other ways to say ``term``: each synonym found in it replaced by the others of its
    group (``赣南橙子`` → ``赣南脐橙``, ``茶油`` → ``油茶籽油``, ``山茶油``)."""
    out: list[str] = []
    for group in synonym_groups():
        for word in sorted(group, key=len, reverse=True):
            if word in term:
                for other in group:
                    if other != word:
                        variant = term.replace(word, other)
                        if variant != term and variant not in out:
                            out.append(variant)
                break
    return out[:limit]


# ----------------------------------------------------------------------------- the query


RANK_ONLY = ("quantity", "number")


@dataclass
class Term:
    """One word of a query and how it can match."""

    text: str  # normalised
    kind: str  # han | pinyin | initials | quantity | number | word
    syllables: list[str] = field(default_factory=list)  # han: its pinyin; pinyin: split
    synonyms: list[str] = field(default_factory=list)  # han: other ways to say it
    prefix: bool = False  # the last word while typing: its end may be unfinished

    @property
    def initials(self) -> list[str]:
        return list(self.text) if self.kind == "initials" else [s[0] for s in self.syllables]


@dataclass
class ParsedQuery:
    text: str  # normalised, cut to MAX_QUERY
    terms: list[Term]

    @property
    def words(self) -> list[Term]:
        """Terms that must match (quantities and bare numbers only rank, unless nothing else
        was typed)."""
        words = [t for t in self.terms if t.kind not in RANK_ONLY]
        return words or self.terms

    @property
    def extras(self) -> list[Term]:
        """Quantities and numbers: they raise the products whose specs carry them."""
        return [t for t in self.terms if t.kind in RANK_ONLY and t not in self.words]

    def __bool__(self) -> bool:
        return bool(self.terms)


def parse(query: str | None, *, prefix: bool = False) -> ParsedQuery:
    """Split a typed query into terms; ``prefix`` when the user is still typing its end."""
    text = normalise(query)[:MAX_QUERY]
    terms: list[Term] = []

    def add(term: Term) -> None:
        if all(t.text != term.text for t in terms):
            terms.append(term)

    for token in quantity_tokens(text):  # 5L, 2 × 500 mL, 10斤: anywhere in the query
        add(Term(token, "quantity"))
    rest = NUMBER_UNIT.sub(" ", text)
    words = WORD.findall(" ".join(SEPARATORS.split(rest)))
    for index, word in enumerate(words):
        last = prefix and index == len(words) - 1 and not text.endswith(" ")
        if has_han(word):
            add(Term(word, "han", list(syllables(word)), synonym_variants(word), prefix=last))
        elif word.isdigit():
            add(Term(word, "number"))
        else:
            add(_latin(word, last))
    return ParsedQuery(text, terms)


def _latin(word: str, last: bool) -> Term:
    """A Latin word: consonants only are initials (``qc``); pinyin when it splits into
    syllables (``xian``, ``qicheng``); else initials when short (``naby``), else a word."""
    clean = word.replace("'", "")
    vowels = sum(c in "aeiouv" for c in clean)
    if vowels == 0 and len(clean) <= 8:
        return Term(clean, "initials", prefix=last)
    split = split_pinyin(word, allow_partial=last)
    if split:
        return Term(clean, "pinyin", split, prefix=last)
    if len(clean) <= 8:  # not pinyin: first letters (naby = 南安板鸭)
        return Term(clean, "initials", prefix=last)
    return Term(clean, "word", prefix=last)
