"""Translation catalogs, one per package (``<package>/translations/zh/LC_MESSAGES/messages.po``).

English is the message id; Chinese lives beside the code that says it, so each domain owns its
words. Flask-Babel merges the catalogs of every package the app registers.

    python scripts/lib/i18n.py              extract each package's messages, update its catalog
    python scripts/lib/i18n.py check        list Chinese translations still missing (exit 1 if any)
    python scripts/lib/i18n.py fill F.tsv…  set Chinese from "english<TAB>chinese" lines
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
SKIP = {"tests", "migrations", "bench", "scripts", "instance", "node_modules"}
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "translate": None,  # yipin.i18n.translate
}
LOCALE = "zh_Hans_CN"


def packages() -> list[Path]:
    """Top-level Python packages of the project (each may own a catalog)."""
    return sorted(
        p
        for p in ROOT.iterdir()
        if p.is_dir()
        and not p.name.startswith(".")
        and p.name not in SKIP
        and (p / "__init__.py").exists()
    )


def catalog_path(package: Path) -> Path:
    return package / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def source_messages(package: Path) -> dict[str, tuple[str, ...] | str]:
    """msgid → id (a tuple for plural forms) of every message the package's code says."""
    found: dict[str, tuple[str, ...] | str] = {}
    for _f, _l, message, _c, _x in extract_from_dir(
        str(package), METHODS, keywords=KEYWORDS, callback=lambda *a: None
    ):
        key = message if isinstance(message, str) else message[0]
        found[key] = message
    return found


def read(path: Path) -> Catalog:
    if not path.exists():
        return Catalog(locale=LOCALE, project="Yipin")
    with path.open("rb") as fh:
        return read_po(fh, locale=LOCALE)


def write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=True, no_location=True)


def known_translations() -> dict[str, object]:
    """Every translated message of every package (to seed a message that moved packages)."""
    known: dict[str, object] = {}
    for package in packages():
        for message in read(catalog_path(package)):
            if message.id and message.string and not message.fuzzy:
                key = message.id if isinstance(message.id, str) else message.id[0]
                known.setdefault(key, message.string)
    return known


def update() -> None:
    known = known_translations()
    for package in packages():
        messages = source_messages(package)
        path = catalog_path(package)
        if not messages:
            continue
        old = read(path)
        new = Catalog(locale=LOCALE, project="Yipin", fuzzy=False)
        for key, message_id in sorted(messages.items()):
            current = old.get(key)
            string = current.string if current is not None and current.string else known.get(key)
            if isinstance(message_id, tuple) and not string:
                string = ("",)
            new.add(message_id, string or "")
        write(path, new)
    print("catalogs updated")


def missing() -> list[str]:
    out: list[str] = []
    for package in packages():
        messages = source_messages(package)
        if not messages:
            continue
        catalog = read(catalog_path(package))
        translated = {
            (m.id if isinstance(m.id, str) else m.id[0])
            for m in catalog
            if m.id
            and m.string
            and not m.fuzzy
            and (not isinstance(m.string, tuple) or all(m.string))
        }
        out += [f"{package.name}: {key}" for key in sorted(set(messages) - translated)]
    return out


def fill(files: list[str]) -> None:
    mapping: dict[str, str] = {}
    for name in files:
        for line in Path(name).read_text(encoding="utf-8").splitlines():
            if "\t" in line and not line.startswith("#"):
                english, chinese = line.split("\t", 1)
                mapping[english] = chinese
    filled = 0
    for package in packages():
        path = catalog_path(package)
        if not path.exists():
            continue
        catalog = read(path)
        for message in catalog:
            key = message.id if isinstance(message.id, str) else (message.id or [""])[0]
            if key in mapping:
                message.string = (mapping[key],) if isinstance(message.id, tuple) else mapping[key]
                message.flags.discard("fuzzy")
                filled += 1
        write(path, catalog)
    print(f"filled {filled} translations")


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "update"
    if command == "fill":
        fill(argv[1:])
    elif command == "update":
        update()
    elif command != "check":
        print(__doc__)
        return 2
    gaps = missing()
    for line in gaps:
        print("untranslated:", line)
    return 1 if gaps and command == "check" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
