"""Locale selection (zh-CN first, English available) and bilingual messages."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, g, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import force_locale, get_locale, get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

TRANSLATIONS = Path(__file__).parent / "translations"

__all__ = [
    "_",
    "_l",
    "add_translations",
    "bilingual",
    "compile_translations",
    "select_locale",
    "translate",
]


def select_locale() -> str:
    """``?lang=`` (remembered in the session), then the user's choice, then zh_CN (also in a
    job or command, which has no request)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    if getattr(g, "api_user", None) is not None or request.path.startswith("/api/"):
        header = request.accept_languages.best_match(["zh", "zh_CN", "en"])
        if header == "en":
            return "en"
    if current_user and getattr(current_user, "locale", None) in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def bilingual(message: Any, **params: Any) -> dict[str, str]:
    """Render a (lazy) message in Chinese and English: ``{"zh_CN": ..., "en": ...}``."""
    out: dict[str, str] = {}
    for locale in ("zh_CN", "en"):
        with force_locale(locale):  # English is the message id; Chinese in */translations/zh
            text = str(message)
            out[locale] = text % params if params else text
    return out


def _locale() -> Any:
    """flask-babel's ``get_locale()`` without its three trips through the ``g`` proxy: the
    locale it chose (or a ``force_locale`` block set) is ``g._flask_babel.babel_locale`` of the
    current app context (flask-babel 4). A page asks for it a few hundred times (every word,
    label and name in the page's language); before the first choice, or outside an app
    context, flask-babel's own look-up runs."""
    app_ctx = _cv_app.get(None)
    if app_ctx is not None:
        babel = app_ctx.g.__dict__.get("_flask_babel")
        locale = getattr(babel, "babel_locale", None)
        if locale is not None:
            return locale
    return get_locale()


def _translations() -> Any:
    """The translations of the current locale, found once per request and locale: templates
    call ``_`` for every word, and flask-babel would look up the domain, the locale's name and
    its cache entry each time (a ``force_locale`` block has another locale, so looks again)."""
    locale = _locale()
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        return get_translations()
    memo = app_ctx.g.__dict__.get("_yipin_translations")
    if memo is None or memo[0] is not locale:
        memo = (locale, get_translations())
        app_ctx.g._yipin_translations = memo
    return memo[1]


def translate(message: str, **variables: Any) -> str:
    """flask-babel's ``gettext`` through the translations found once per request (what
    templates' ``_`` does): for code that prints many words per page (the storefront's cards
    and tiles)."""
    text: str = _translations().ugettext(message)
    return text % variables if variables else text


@pass_context
def template_gettext(context: Context, message: str, **variables: Any) -> str:
    """Templates' ``_`` and ``gettext``: Jinja's "newstyle" gettext (the translation, marked
    safe where the template autoescapes, then always ``% variables``, whose values are
    escaped) in one call instead of three nested ones through the context."""
    text = _translations().ugettext(message)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    if not variables and "%" not in text:  # most words: nothing to format, nothing to escape
        return text  # type: ignore[no-any-return]
    return text % variables  # type: ignore[no-any-return]


def current_language() -> str:
    """``zh_CN`` or ``en`` (Babel spells the Chinese locale ``zh_Hans_CN``)."""
    locale = _locale()
    if locale is None or locale.language == "zh":
        return "zh_CN"
    return locale.language


def add_translations(app: Flask, package_dir: Path) -> None:
    """Merge a package's catalog (``<package>/translations``) into the app's, once."""
    directory = package_dir / "translations"
    directories = app.extensions["babel"].translation_directories
    if not directory.is_dir() or str(directory) in directories:
        return
    try:
        compile_translations(directory)
    except OSError:  # read-only install: rely on shipped .mo files
        app.logger.warning("could not compile translations in %s", directory)
    directories.append(str(directory))


def compile_translations(directory: Path = TRANSLATIONS) -> None:
    """Compile every ``messages.po`` whose ``.mo`` is missing or older (on app start)."""
    for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        tmp = mo_path.with_name(f"{mo_path.name}.{os.getpid()}.tmp")  # workers compile at once
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp.replace(mo_path)


def init_app(app: Flask) -> None:
    from yipin.extensions import babel

    try:
        compile_translations()
    except OSError:  # read-only install: rely on shipped .mo files
        app.logger.warning("could not compile translations")
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS),
    )
    app.jinja_env.install_gettext_callables(  # flask-babel's, with the lookup done once
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    # ``_`` (a template's every word) straight to one function, same output as Jinja's
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)

    @app.context_processor
    def inject_language() -> dict[str, Any]:
        return {"current_language": current_language, "languages": app.config["LANGUAGES"]}
