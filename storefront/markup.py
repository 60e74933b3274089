"""The product card and its picture as markup written in Python (issue 12: fewer, cheaper
template calls for repeated cards).

A listing prints 24 cards; as Jinja macros each card cost a macro call, a nested one for its
picture and some twenty-five escaped expressions through Jinja's runtime: a quarter of a
listing's time on the server. Here each card is one function that escapes its strings once
(``markupsafe.escape``) and joins them, giving the same characters the macros gave
(whitespace included, so pages are byte for byte as before). The templates call ``card(c, …)``
(a ``storefront.views.CardView``) and ``picture(…)`` from the blueprint's context, as they
called the macros of ``_macros.html``; the gallery's and the rest's markup stays in templates.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from yipin.i18n import translate

# How wide a card's picture is shown: two columns on a phone, three on a tablet, about 300 px
# on a desktop's grid (the browser picks the rendition from these and its pixel ratio).
CARD_SIZES = "(min-width: 960px) 300px, (min-width: 640px) calc(33vw - 1.5rem), calc(50vw - 1.5rem)"


def picture(
    image: Any, alt: Any, sizes: str, eager: bool = False, priority: bool = False
) -> Markup:
    """An uploaded picture with its WebP renditions in ``srcset`` (240, 360, 720, 1440 px
    wide, as stored) for ``sizes``. Only the first screen's pictures are ``eager``; the one
    likely to be the largest paint of the page also gets ``priority`` (fetchpriority=high)."""
    from storefront.views import image_srcset, image_url

    renditions = image.renditions
    box = renditions.get("medium") or renditions.get("original") or {}
    if not eager:
        loading = ' loading="lazy" decoding="async"'
    elif priority:
        loading = ' fetchpriority="high"'
    else:
        loading = ""
    return Markup(
        f'\n<img src="{escape(image_url(image, "medium"))}"'
        f' srcset="{escape(image_srcset(image))}" sizes="{escape(sizes)}" alt="{escape(alt)}"'
        f' width="{escape(box.get("width", 720))}" height="{escape(box.get("height", 720))}"'
        f"{loading}>"
    )


def placeholder(label: Any, look: tuple[str, str, str]) -> Markup:
    """A product without a picture: its category's glyph on a soft gradient, "暂无图片"."""
    glyph, tone, hint = look
    return Markup(
        f'\n<div class="sf-placeholder tone-{escape(tone)}" role="img"'
        f' aria-label="{escape(label or hint)}">\n'
        f'  <span class="glyph" aria-hidden="true">{escape(glyph)}</span>\n'
        f'  <span class="hint">{escape(hint)}</span>\n</div>'
    )


def card(c: Any, lazy: bool = True, marked: Any = None, priority: bool = False) -> Markup:
    """A product card: ``c`` is a ``storefront.views.CardView`` (URL and words worked out in
    Python); ``marked``: the name with search highlights (already markup)."""
    if c.image:
        pic = picture(c.image, c.name, CARD_SIZES, eager=not lazy, priority=priority)
    else:
        pic = placeholder(c.name, c.look)
    flag = (
        f'\n      <span class="sf-flag {escape(c.flag)}">{escape(c.flag_text)}</span>\n    '
        if c.flag
        else ""
    )
    name = marked if marked else escape(c.name)
    brand = f'<span class="sf-tag brand">{escape(c.brand)}</span>' if c.brand else ""
    grades = "".join(f'<span class="sf-tag grade">{escape(g)}</span>' for g in c.grades)
    badges = "".join(
        f'<span class="sf-cert kind-{escape(kind)}" title="{escape(title)}">{escape(text)}</span>'
        for kind, title, text in c.badges
    )
    since = ""
    if c.has_range:
        word = translate("from")  # "¥12.00 起": the cheapest of several prices
        since = f'<span class="from">{escape(word)}</span>'
    was = f"<del>{escape(c.list_price)}</del>" if c.list_price else ""
    return Markup(
        f'<a class="sf-card" href="{escape(c.url)}" data-product-id="{escape(c.id)}">\n'
        f'  <div class="sf-card-pic">\n    \n      {pic}\n    \n    {flag}\n  </div>\n'
        f'  <div class="sf-card-body">\n'
        f'    <h3 class="sf-card-name">{name}</h3>\n'
        f'    <div class="sf-tags">\n      {brand}\n      {grades}\n      {badges}\n    </div>\n'
        f'    <p class="sf-card-meta">{escape(c.meta)}</p>\n'
        f'    <p class="sf-card-price">\n'
        f'      <span class="now">{escape(c.price)}</span>{since}\n      {was}\n    </p>\n'
        f"  </div>\n</a>"
    )
