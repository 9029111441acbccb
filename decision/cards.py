"""The verdict card: a 1200 x 630 PNG for link previews, drawn with Pillow from the project's own font files.

Pure: text in, PNG bytes out; no request leaves the machine, and nothing here knows about results or HTTP.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
FONTS = Path(__file__).resolve().parent / "fonts"  # DejaVu Sans, under the Bitstream Vera licence (COPYRIGHT)
INK = (27, 31, 36)
MUTED = (74, 83, 96)
PAPER = (255, 255, 255)
ACCENTS = {"open": (11, 110, 95), "closed": (57, 73, 171), "hybrid": (160, 74, 0), "uncertain": (74, 83, 96)}
MARGIN = 80


def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)


def wrap(draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, width: int, lines: int) -> list[str]:
    """The text in at most ``lines`` lines no wider than ``width``; an ellipsis ends a cut."""
    out: list[str] = []
    words = text.split()
    while words and len(out) < lines:
        line = words.pop(0)
        while words and draw.textlength(f"{line} {words[0]}", font=face) <= width:
            line = f"{line} {words.pop(0)}"
        out.append(line)
    if words:
        last = out[-1]
        while last and draw.textlength(f"{last}…", font=face) > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        out[-1] = f"{last}…"
    return out


def draw_card(*, kind: str, kicker: str, title: str, standing: str, reason: str, footer: str) -> bytes:
    """The card as PNG bytes: an accent bar in the approach's colour, the verdict, its standing and one reason."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    accent = ACCENTS.get(kind, MUTED)
    draw.rectangle((0, 0, 28, HEIGHT), fill=accent)
    width = WIDTH - 2 * MARGIN
    y = 64
    draw.text((MARGIN, y), kicker.upper(), font=font(26, bold=True), fill=MUTED)
    y += 56
    title_face = font(52, bold=True)
    for line in wrap(draw, title, title_face, width, 4):
        draw.text((MARGIN, y), line, font=title_face, fill=INK)
        y += 62
    y += 16
    draw.text(
        (MARGIN, y), wrap(draw, standing, font(34, bold=True), width, 1)[0], font=font(34, bold=True), fill=accent
    )
    y += 58
    reason_face = font(30)
    for line in wrap(draw, reason, reason_face, width, 2):
        draw.text((MARGIN, y), line, font=reason_face, fill=INK)
        y += 40
    draw.text((MARGIN, HEIGHT - 64), footer, font=font(24), fill=MUTED)
    buffer = io.BytesIO()
    # A few flat colours: a small palette keeps the file far under 100 KB without visible loss.
    image.quantize(colors=32, method=Image.Quantize.MEDIANCUT).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
