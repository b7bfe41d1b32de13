"""Draw Cartilla's app icons (a small booklet on the brand colour) with Pillow.

Run from the repo root: `.venv/bin/python pwa/icons/make_icons.py`. Writes icon-192.png,
icon-512.png and icon-maskable-512.png (content inside the maskable safe zone). Palette PNGs
keep them to a few KB, because every byte counts on a worker's data plan.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = (20, 80, 92)
PAPER = (255, 255, 255)
ACCENT = (255, 191, 71)
HERE = Path(__file__).resolve().parent


def draw(size: int, *, maskable: bool) -> Image.Image:
    scale = 4  # draw large, then shrink for smooth edges
    s = size * scale
    img = Image.new("RGB", (s, s), BRAND)
    d = ImageDraw.Draw(img)
    if not maskable:
        img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
        d = ImageDraw.Draw(img)
        d.rounded_rectangle((0, 0, s - 1, s - 1), radius=s // 6, fill=BRAND)
    # The maskable safe zone is the centre circle of 80% diameter: keep the booklet in it.
    box = 0.46 if maskable else 0.62
    w, h = s * box * 0.78, s * box
    x0, y0 = (s - w) / 2, (s - h) / 2
    d.rounded_rectangle((x0, y0, x0 + w, y0 + h), radius=int(s * 0.03), fill=PAPER)
    d.rectangle((x0, y0, x0 + w * 0.14, y0 + h), fill=ACCENT)
    for i in range(4):
        y = y0 + h * (0.25 + i * 0.16)
        d.rounded_rectangle((x0 + w * 0.28, y, x0 + w * 0.86, y + h * 0.06), radius=int(s * 0.01),
                            fill=BRAND)
    out = img.resize((size, size), Image.Resampling.LANCZOS)
    return out.quantize(colors=32) if maskable else out.quantize(colors=32, method=Image.Quantize.FASTOCTREE)


def main() -> None:
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-512.png", 512, True),
    ):
        draw(size, maskable=maskable).save(HERE / name, optimize=True)
        print(name, (HERE / name).stat().st_size, "bytes")


if __name__ == "__main__":
    main()
