"""Every message in the source has a Chinese translation (zh-CN is the first language)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "tests", "migrations", ".testbed", "instance", "node_modules", "bench"}
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _source_messages() -> set[str]:
    found: set[str] = set()

    def callback(filename: str, method: str, options: dict) -> None:
        return None

    for top in ROOT.iterdir():
        if not top.is_dir() or top.name in SKIP or top.name.startswith("."):
            continue
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(top), METHODS, keywords=KEYWORDS, callback=callback
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_a_chinese_translation():
    with (ROOT / "yipin/translations/zh/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="zh")
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(_source_messages() - translated)
    assert not missing, "run ./scripts/i18n and translate:\n" + "\n".join(missing)
