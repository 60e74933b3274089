"""Templates' ``_`` (``yipin.i18n.template_gettext``, one call instead of Jinja's three) says
exactly what Jinja's own newstyle gettext says, in both languages, inside ``force_locale``
blocks too; and every page's layout (the nav, the language switch) is in the visitor's
language, for a guest and for a signed-in user."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest
from flask import render_template_string
from flask_babel import force_locale, get_translations

from tests import factories
from yipin.db import db

TEMPLATES = [
    "{{ _('Log in') }}",
    "{{ _('Valid %(start)s to %(end)s', start=a, end=b) }}",  # values escaped, text kept
    "{{ _('%(num)s days', num=3) }}",
    "{{ _('100%% natural') }}",  # always formatted: %% is a percent sign
    "{% trans %}Log in{% endtrans %} {% trans n=a %}Hello {{ n }}{% endtrans %}",
    "{{ gettext('Sign up') }}",
]
VALUES = {"a": "<b>晒</b>", "b": "2027-01-31"}


def _jinja_newstyle() -> jinja2.Environment:
    """What Jinja itself does with flask-babel's translations (the reference: an environment
    of its own, so the app's globals are left alone)."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: get_translations().ugettext(s),
        ngettext=lambda s, p, n: get_translations().ungettext(s, p, n),
        newstyle=True,
    )
    return env


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_template_gettext_says_what_jinja_says(app: Any, language: str) -> None:
    reference = _jinja_newstyle()
    with app.test_request_context(f"/?lang={language}"):
        assert app.jinja_env.globals["_"] is not reference.globals["_"]
        for source in TEMPLATES:
            ours = render_template_string(source, **VALUES)
            theirs = reference.from_string(source).render(**VALUES)
            assert ours == theirs, source
        assert "&lt;b&gt;晒&lt;/b&gt;" in render_template_string(TEMPLATES[1], **VALUES)
        login = render_template_string("{{ _('Log in') }}")
        assert login == ("登录" if language == "zh_CN" else "Log in")


def test_force_locale_inside_a_request_changes_the_words_and_back(app: Any) -> None:
    with app.test_request_context("/"):
        assert render_template_string("{{ _('Log in') }}|{{ current_language() }}") == "登录|zh_CN"
        with force_locale("en"):
            assert (
                render_template_string("{{ _('Log in') }}|{{ current_language() }}") == "Log in|en"
            )
        assert render_template_string("{{ _('Log in') }}|{{ current_language() }}") == "登录|zh_CN"


def test_layout_is_in_the_visitors_language_for_guests_and_users(
    client: Any, reference: Any, login_as: Any
) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and ">登录</a>" in html
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html and ">Log in</a>" in html and ">中文</a>" in html

    user = factories.UserFactory(display_name="赵<小>明")
    db.session.commit()
    signed_in = login_as(user)
    for language, word in (("zh_CN", "退出"), ("en", "Log out")):
        html = signed_in.get(f"/?lang={language}").get_data(as_text=True)
        assert "赵&lt;小&gt;明</a>" in html, language  # the user's own name, escaped
        assert word in html and ">登录</a>" not in html and ">Log in</a>" not in html
