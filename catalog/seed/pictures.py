"""Demo product pictures drawn with Pillow: a warm gradient, a simple still life (fruit, bottle,
leaves, bowl …) and the product's short name in Noto Sans CJK when the font is installed.

Pictures are drawn at twice their size and scaled down, which smooths the shapes' edges.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZE = 640  # stored picture; the "medium" and "large" renditions keep this size (no upscaling)
SCALE = 2
W = SIZE * SCALE
FONT_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/noto-cjk"),
    Path("/usr/share/fonts/truetype/noto"),
)
RGB = tuple[int, int, int]


@lru_cache(maxsize=8)
def font(size: int, bold: bool = True) -> ImageFont.FreeTypeFont | None:
    """Noto Sans CJK SC (index 2 of the collection), or None when it is not installed."""
    name = "NotoSansCJK-Bold.ttc" if bold else "NotoSansCJK-Regular.ttc"
    for folder in FONT_DIRS:
        path = folder / name
        if path.exists():
            try:
                return ImageFont.truetype(str(path), size, index=2)
            except OSError:
                continue
    return None


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        int(a[0] + (b[0] - a[0]) * t),
        int(a[1] + (b[1] - a[1]) * t),
        int(a[2] + (b[2] - a[2]) * t),
    )


def _gradient(top: RGB, bottom: RGB) -> Image.Image:
    """A vertical gradient: one column, repeated across (nearest-neighbour stretch: fast)."""
    column = Image.new("RGB", (1, W))
    column.putdata([_mix(top, bottom, y / (W - 1)) for y in range(W)])
    return column.resize((W, W), Image.Resampling.NEAREST)


def _ball(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, dark: RGB, light: RGB) -> None:
    """A shaded sphere: concentric discs moving towards the top-left highlight."""
    steps = 18
    for i in range(steps):
        t = i / (steps - 1)
        rr = r * (1 - 0.72 * t)
        ox, oy = cx - r * 0.28 * t, cy - r * 0.3 * t
        draw.ellipse((ox - rr, oy - rr, ox + rr, oy + rr), fill=_mix(dark, light, t))


def _dimples(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, colour: RGB) -> None:
    rng = random.Random(int(cx * 7 + cy))
    for _ in range(int(r / 6)):
        a, d = rng.uniform(0, math.tau), rng.uniform(0.15, 0.85) * r
        x, y = cx + math.cos(a) * d, cy + math.sin(a) * d
        draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=colour)


def _leaf(
    draw: ImageDraw.ImageDraw,
    x: float,
    y: float,
    length: float,
    angle: float,
    colour: RGB,
    vein: RGB | None = None,
) -> None:
    """A pointed leaf from (x, y) along ``angle`` (radians)."""
    width = length * 0.36
    points = []
    for i in range(25):
        t = i / 24
        half = math.sin(math.pi * t) * width / 2 * (1 - 0.25 * t)
        points.append((t * length, half))
    points += [(px, -py) for px, py in reversed(points)]
    ca, sa = math.cos(angle), math.sin(angle)
    poly = [(x + px * ca - py * sa, y + px * sa + py * ca) for px, py in points]
    draw.polygon(poly, fill=colour)
    if vein:
        draw.line([(x, y), (x + length * 0.92 * ca, y + length * 0.92 * sa)], fill=vein, width=5)


def _shadow(base: Image.Image, box: tuple[float, float, float, float], alpha: int = 70) -> None:
    """A soft shadow under ``box`` (blurred on a small layer only, which keeps it fast)."""
    pad = 60
    x0, y0, x1, y1 = (int(v) for v in box)
    layer = Image.new("L", (x1 - x0 + 2 * pad, y1 - y0 + 2 * pad), 0)
    ImageDraw.Draw(layer).ellipse((pad, pad, pad + x1 - x0, pad + y1 - y0), fill=alpha)
    layer = layer.filter(ImageFilter.BoxBlur(28))
    base.paste((60, 40, 20), (x0 - pad, y0 - pad), mask=layer)


# ----------------------------------------------------------------------------- still lifes


def _citrus(img: Image.Image, rng: random.Random, kind: str) -> None:
    draw = ImageDraw.Draw(img)
    if kind == "pomelo":
        spots = [(W * 0.5, W * 0.62, W * 0.25)]
        dark, light, dot = (196, 178, 60), (246, 236, 150), (214, 198, 90)
    elif kind == "mandarin":
        spots = [
            (W * 0.34, W * 0.66, W * 0.13),
            (W * 0.62, W * 0.68, W * 0.14),
            (W * 0.48, W * 0.55, W * 0.13),
            (W * 0.78, W * 0.58, W * 0.11),
        ]
        dark, light, dot = (214, 88, 10), (255, 170, 70), (226, 110, 30)
    else:
        spots = [
            (W * 0.36, W * 0.64, W * 0.19),
            (W * 0.66, W * 0.66, W * 0.18),
            (W * 0.52, W * 0.5, W * 0.16),
        ]
        dark, light, dot = (222, 102, 8), (255, 182, 72), (235, 128, 30)
    for cx, cy, r in spots:
        _shadow(img, (cx - r, cy + r * 0.7, cx + r * 1.1, cy + r * 1.15))
    for cx, cy, r in sorted(spots, key=lambda s: s[1]):
        _ball(draw, cx, cy, r, dark, light)
        _dimples(draw, cx, cy, r, dot)
        draw.ellipse((cx - 9, cy - r * 0.78 - 9, cx + 9, cy - r * 0.78 + 9), fill=(120, 90, 30))
    cx, cy, r = spots[-1 if kind == "pomelo" else 2]
    _leaf(
        draw,
        cx + 4,
        cy - r * 0.8,
        r * 0.95,
        -0.6 + rng.uniform(-0.2, 0.2),
        (62, 128, 60),
        (40, 96, 44),
    )
    _leaf(
        draw,
        cx - 4,
        cy - r * 0.8,
        r * 0.7,
        -2.5 + rng.uniform(-0.2, 0.2),
        (78, 146, 70),
        (52, 110, 52),
    )


def _bottle(img: Image.Image, rng: random.Random, kind: str) -> None:
    draw = ImageDraw.Draw(img)
    cx, bottom = W * 0.52, W * 0.9
    body_w, body_h = W * 0.26, W * 0.42
    _shadow(img, (cx - body_w * 0.8, bottom - 40, cx + body_w * 0.9, bottom + 40))
    top = bottom - body_h
    draw.rounded_rectangle(
        (cx - body_w / 2, top, cx + body_w / 2, bottom), radius=50, fill=(232, 176, 40)
    )
    for i in range(12):  # amber depth
        t = i / 11
        x = cx - body_w / 2 + 20 + t * (body_w * 0.32)
        draw.rounded_rectangle(
            (x, top + 30, x + 16, bottom - 30),
            radius=8,
            fill=_mix((214, 150, 20), (250, 214, 110), t),
        )
    neck_w = body_w * 0.34
    draw.polygon(
        [
            (cx - body_w / 2 + 10, top + 30),
            (cx - neck_w / 2, top - W * 0.1),
            (cx + neck_w / 2, top - W * 0.1),
            (cx + body_w / 2 - 10, top + 30),
        ],
        fill=(236, 186, 60),
    )
    cap = (150, 30, 30) if kind == "oil" else (48, 110, 60)
    draw.rounded_rectangle(
        (cx - neck_w / 2 - 6, top - W * 0.15, cx + neck_w / 2 + 6, top - W * 0.095),
        radius=10,
        fill=cap,
    )
    draw.rounded_rectangle(
        (cx - body_w / 2 + 24, top + body_h * 0.35, cx + body_w / 2 - 24, top + body_h * 0.72),
        radius=16,
        fill=(255, 250, 236),
    )
    f = font(int(W * 0.04))
    if f:
        draw.text((cx, top + body_h * 0.535), "山茶油", font=f, fill=(150, 30, 30), anchor="mm")
    # camellia fruit and leaves beside the bottle
    for i, (x, y) in enumerate([(W * 0.24, W * 0.84), (W * 0.8, W * 0.86)]):
        r = W * (0.07 if i else 0.06)
        _ball(draw, x, y, r, (110, 70, 40), (190, 140, 90))
        _leaf(draw, x, y - r * 0.6, r * 1.7, -1.2 - i * 0.9, (58, 120, 60), (40, 90, 44))


def _jar(img: Image.Image, rng: random.Random, kind: str) -> None:
    draw = ImageDraw.Draw(img)
    for _ in range(14):  # honeycomb in the background
        x, y = rng.uniform(0, W), rng.uniform(W * 0.35, W)
        r = W * 0.05
        hexagon = [
            (x + r * math.cos(a), y + r * math.sin(a)) for a in [k * math.pi / 3 for k in range(6)]
        ]
        draw.polygon(hexagon, outline=(240, 200, 110), width=6)
    cx, bottom, w, h = W * 0.5, W * 0.9, W * 0.34, W * 0.38
    _shadow(img, (cx - w * 0.7, bottom - 40, cx + w * 0.75, bottom + 40))
    draw.rounded_rectangle(
        (cx - w / 2, bottom - h, cx + w / 2, bottom), radius=60, fill=(214, 136, 20)
    )
    draw.rounded_rectangle(
        (cx - w / 2 + 26, bottom - h + 40, cx - w / 2 + 60, bottom - 40),
        radius=16,
        fill=(244, 186, 70),
    )
    draw.rounded_rectangle(
        (cx - w / 2 - 10, bottom - h - 60, cx + w / 2 + 10, bottom - h + 4),
        radius=16,
        fill=(120, 70, 30),
    )
    draw.rounded_rectangle(
        (cx - w * 0.32, bottom - h * 0.62, cx + w * 0.32, bottom - h * 0.24),
        radius=14,
        fill=(255, 248, 230),
    )
    f = font(int(W * 0.042))
    if f:
        draw.text((cx, bottom - h * 0.43), "蜂蜜", font=f, fill=(150, 80, 10), anchor="mm")


def _bowl(img: Image.Image, rng: random.Random, kind: str) -> None:
    draw = ImageDraw.Draw(img)
    cx, rim_y, r = W * 0.5, W * 0.64, W * 0.33
    _shadow(img, (cx - r, rim_y + r * 0.55, cx + r, rim_y + r * 0.9))
    bowl = (46, 84, 130) if kind != "lotus" else (140, 60, 40)
    # the filling, heaped above the rim
    if kind == "rice":
        draw.ellipse(
            (cx - r * 0.95, rim_y - r * 0.55, cx + r * 0.95, rim_y + r * 0.25), fill=(250, 248, 240)
        )
        for _ in range(420):
            a, d = rng.uniform(0, math.tau), rng.uniform(0, 1) ** 0.5
            x, y = cx + math.cos(a) * d * r * 0.9, rim_y - r * 0.15 + math.sin(a) * d * r * 0.36
            ang = rng.uniform(0, math.pi)
            dx, dy = math.cos(ang) * 14, math.sin(ang) * 14
            draw.line((x - dx, y - dy, x + dx, y + dy), fill=(228, 222, 204), width=8)
    elif kind == "noodles":
        draw.ellipse(
            (cx - r * 0.95, rim_y - r * 0.45, cx + r * 0.95, rim_y + r * 0.25), fill=(236, 226, 200)
        )
        for i in range(16):
            y = rim_y - r * 0.35 + i * r * 0.035
            pts = [
                (cx - r * 0.85 + k * 20, y + math.sin(k / 3 + i) * 14)
                for k in range(int(r * 1.7 / 20))
            ]
            draw.line(pts, fill=(255, 252, 240), width=9, joint="curve")
        for _ in range(10):  # spring onion
            x, y = cx + rng.uniform(-r * 0.6, r * 0.6), rim_y - r * rng.uniform(0.0, 0.3)
            draw.ellipse((x - 12, y - 12, x + 12, y + 12), fill=(80, 160, 70))
        for _ in range(6):  # chilli
            x, y = cx + rng.uniform(-r * 0.6, r * 0.6), rim_y - r * rng.uniform(0.0, 0.3)
            draw.ellipse((x - 14, y - 8, x + 14, y + 8), fill=(200, 40, 30))
    else:  # lotus seeds
        draw.ellipse(
            (cx - r * 0.95, rim_y - r * 0.5, cx + r * 0.95, rim_y + r * 0.25), fill=(240, 228, 196)
        )
        seeds = []
        for _ in range(70):
            a, d = rng.uniform(0, math.tau), rng.uniform(0, 1) ** 0.5
            seeds.append(
                (cx + math.cos(a) * d * r * 0.82, rim_y - r * 0.14 + math.sin(a) * d * r * 0.3)
            )
        for x, y in sorted(seeds, key=lambda p: p[1]):
            draw.ellipse(
                (x - 30, y - 26, x + 30, y + 26),
                fill=(236, 222, 184),
                outline=(206, 186, 140),
                width=3,
            )
            draw.ellipse((x - 6, y - 6, x + 6, y + 6), fill=(196, 160, 100))
    draw.chord((cx - r, rim_y - r, cx + r, rim_y + r), 0, 180, fill=bowl)
    draw.ellipse((cx - r, rim_y - 14, cx + r, rim_y + 14), outline=(230, 236, 244), width=10)
    draw.rectangle((cx - r * 0.35, rim_y + r * 0.92, cx + r * 0.35, rim_y + r * 1.0), fill=bowl)


def _tea(img: Image.Image, rng: random.Random, kind: str) -> None:
    draw = ImageDraw.Draw(img)
    cx, cy = W * 0.5, W * 0.66
    _shadow(img, (cx - W * 0.3, cy + W * 0.12, cx + W * 0.3, cy + W * 0.24))
    # a white tea cup with green tea
    draw.chord(
        (cx - W * 0.2, cy - W * 0.2, cx + W * 0.2, cy + W * 0.2), 0, 180, fill=(250, 250, 246)
    )
    draw.ellipse((cx - W * 0.2, cy - W * 0.04, cx + W * 0.2, cy + W * 0.04), fill=(178, 196, 90))
    draw.ellipse(
        (cx - W * 0.2, cy - W * 0.04, cx + W * 0.2, cy + W * 0.04), outline=(236, 236, 228), width=8
    )
    for i in range(7):
        angle = -math.pi / 2 + (i - 3) * 0.36 + rng.uniform(-0.08, 0.08)
        length = W * rng.uniform(0.18, 0.26)
        x = cx + (i - 3) * W * 0.05
        _leaf(
            draw,
            x,
            cy - W * 0.05,
            length,
            angle,
            _mix((40, 110, 50), (120, 180, 80), i / 6),
            (30, 80, 40),
        )


def _meat(img: Image.Image, rng: random.Random, kind: str) -> None:
    draw = ImageDraw.Draw(img)
    cx, cy = W * 0.5, W * 0.68
    _shadow(img, (cx - W * 0.36, cy + W * 0.08, cx + W * 0.36, cy + W * 0.22))
    draw.ellipse((cx - W * 0.38, cy - W * 0.17, cx + W * 0.38, cy + W * 0.17), fill=(250, 250, 248))
    draw.ellipse((cx - W * 0.32, cy - W * 0.13, cx + W * 0.32, cy + W * 0.13), fill=(238, 238, 232))
    if kind == "eggs":
        for i in range(7):
            x = cx + (i - 3) * W * 0.075
            y = cy - W * 0.02 + (i % 2) * W * 0.04
            draw.ellipse(
                (x - W * 0.05, y - W * 0.065, x + W * 0.05, y + W * 0.06),
                fill=(226, 178, 130),
                outline=(196, 146, 100),
                width=4,
            )
    else:
        dark, light = {
            "duck": ((140, 60, 20), (214, 130, 60)),
            "goose": ((196, 160, 120), (244, 222, 196)),
            "chicken": ((220, 170, 80), (250, 220, 140)),
        }[kind]
        for i in range(14):
            t = i / 13
            rx, ry = W * 0.26 * (1 - 0.45 * t), W * 0.1 * (1 - 0.45 * t)
            draw.ellipse(
                (cx - rx - t * 30, cy - ry - t * 20, cx + rx - t * 30, cy + ry - t * 20),
                fill=_mix(dark, light, t),
            )
    for i in range(3):
        _leaf(
            draw,
            cx - W * 0.3 + i * 26,
            cy - W * 0.08,
            W * 0.12,
            -2.2 + i * 0.5,
            (70, 140, 60),
            (40, 100, 40),
        )


def _greens(img: Image.Image, rng: random.Random, kind: str) -> None:
    draw = ImageDraw.Draw(img)
    cx, cy = W * 0.5, W * 0.82
    _shadow(img, (cx - W * 0.36, cy - W * 0.03, cx + W * 0.36, cy + W * 0.08))
    for i in range(11):
        angle = -math.pi / 2 + (i - 5) * 0.22 + rng.uniform(-0.05, 0.05)
        _leaf(
            draw,
            cx + (i - 5) * 8,
            cy,
            W * rng.uniform(0.38, 0.5),
            angle,
            _mix((40, 120, 50), (130, 190, 90), rng.random()),
            (230, 240, 220),
        )
    for x in (W * 0.22, W * 0.8):  # tomatoes
        _ball(draw, x, cy - W * 0.02, W * 0.07, (190, 30, 20), (250, 110, 80))
        _leaf(draw, x, cy - W * 0.09, W * 0.05, -1.2, (60, 130, 50))


def _hills(img: Image.Image, rng: random.Random, kind: str) -> None:
    """An origin scene: terraced hills with rows of trees under a warm sky."""
    draw = ImageDraw.Draw(img)
    greens = [(126, 170, 96), (94, 146, 80), (68, 122, 66), (48, 100, 56)]
    for layer, colour in enumerate(greens):
        base = W * (0.48 + layer * 0.13)
        pts = [(0, W)]
        phase = rng.uniform(0, math.tau)
        for x in range(0, W + 40, 40):
            pts.append(
                (x, base - math.sin(x / W * math.pi * (1.2 + layer * 0.3) + phase) * W * 0.06)
            )
        pts.append((W, W))
        draw.polygon(pts, fill=colour)
        if layer >= 1:
            tree = (230, 130, 30) if kind == "orchard" else (40, 96, 50)
            for x in range(30, W, 70):
                y = base - math.sin(x / W * math.pi * (1.2 + layer * 0.3) + phase) * W * 0.06 + 30
                r = 14 + layer * 4
                draw.ellipse((x - r, y - r, x + r, y + r), fill=_mix(colour, (20, 60, 30), 0.4))
                if kind == "orchard":
                    draw.ellipse((x - 5, y - 5, x + 5, y + 5), fill=tree)
    draw.ellipse((W * 0.72, W * 0.1, W * 0.86, W * 0.24), fill=(255, 236, 190))


KINDS: dict[str, tuple[Callable[[Image.Image, random.Random, str], None], RGB, RGB]] = {
    "orange": (_citrus, (255, 246, 232), (252, 214, 170)),
    "mandarin": (_citrus, (255, 244, 226), (250, 206, 160)),
    "pomelo": (_citrus, (250, 250, 232), (226, 236, 190)),
    "oil": (_bottle, (255, 248, 230), (240, 222, 176)),
    "honey": (_jar, (255, 248, 228), (250, 226, 170)),
    "rice": (_bowl, (250, 246, 236), (228, 216, 186)),
    "noodles": (_bowl, (252, 244, 232), (236, 206, 176)),
    "lotus": (_bowl, (250, 244, 240), (236, 212, 206)),
    "tea": (_tea, (240, 248, 236), (196, 222, 180)),
    "duck": (_meat, (255, 242, 228), (236, 200, 166)),
    "chicken": (_meat, (255, 248, 230), (244, 222, 180)),
    "goose": (_meat, (246, 244, 240), (222, 214, 200)),
    "eggs": (_meat, (255, 248, 236), (240, 220, 190)),
    "greens": (_greens, (242, 248, 236), (206, 228, 190)),
    "orchard": (_hills, (232, 140, 70), (255, 236, 200)),
    "terraces": (_hills, (70, 130, 176), (226, 240, 246)),
}


def draw_product(kind: str, title: str, caption: str, seed: int) -> bytes:
    """A JPEG picture: the still life for ``kind``, ``title`` large and ``caption`` small."""
    rng = random.Random(seed)
    painter, top, bottom = KINDS.get(kind, KINDS["orange"])
    shift = rng.randint(-8, 8)
    img = _gradient(
        tuple(max(0, min(255, c + shift)) for c in top),  # type: ignore[arg-type]
        bottom,
    )
    painter(img, rng, kind)
    draw = ImageDraw.Draw(img)
    big, small = font(int(W * 0.085)), font(int(W * 0.04), bold=False)
    ink = (255, 255, 255) if kind in ("orchard", "terraces") else (72, 38, 14)
    if big is not None:
        draw.text((W * 0.07, W * 0.07), title, font=big, fill=ink)
        if caption and small is not None:
            draw.text(
                (W * 0.075, W * 0.07 + W * 0.115),
                caption,
                font=small,
                fill=ink if ink[0] == 255 else _mix(ink, (160, 120, 90), 0.35),
            )
    out = img.reduce(SCALE)
    buffer = io.BytesIO()
    out.save(buffer, "JPEG", quality=86)
    return buffer.getvalue()
