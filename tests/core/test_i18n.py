"""Every message in the source has a Chinese translation (zh-CN is the first language), in the
catalog of the package that says it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _i18n_tool():
    spec = importlib.util.spec_from_file_location("yipin_i18n_tool", ROOT / "scripts/lib/i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_has_a_chinese_translation():
    missing = _i18n_tool().missing()
    assert not missing, "run ./scripts/i18n and translate:\n" + "\n".join(missing)


def test_every_catalog_is_merged_into_the_app(app):
    """A package's catalog is loaded: its own messages come out in Chinese."""
    from flask_babel import force_locale, gettext

    tool = _i18n_tool()
    directories = set(app.extensions["babel"].translation_directories)
    for package in tool.packages():
        messages = tool.source_messages(package)
        if not messages:
            continue
        assert str(package / "translations") in directories, package.name
        catalog = tool.read(tool.catalog_path(package))
        sample = next(m for m in catalog if m.id and isinstance(m.id, str) and m.string)
        with app.test_request_context(), force_locale("zh_CN"):
            assert gettext(sample.id) != sample.id, (package.name, sample.id)
