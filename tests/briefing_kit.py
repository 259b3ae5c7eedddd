"""Reading the generated 通报 and deck back, and drawing them as PNG for the test artifacts.

- `docx_text`, `pdf_text`, `pptx_text`: every text of a file (paragraphs and table cells) as one
  string, read with python-docx, pdftotext (poppler-utils) and python-pptx.
- `numbers_in`: the numeric tokens of a text, as the documents spell them (96.0%, 1,234, -0.5).
- `pdf_pages_png`: the PDF's pages as PNG through pdftoppm (poppler-utils).
- `slide_png`: a slide drawn with Pillow from the .pptx itself — its shapes' boxes, fills, texts
  (in WenQuanYi Micro Hei, as a PowerPoint without the deck's fonts would substitute), tables and
  pictures at their positions. LibreOffice is not needed; what is drawn is what the file holds, so
  a missing glyph or a table running off the slide shows in the image.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

from docx import Document
from PIL import Image, ImageDraw, ImageFont
from pptx import Presentation
from pptx.util import Emu

CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?%?")


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append("\t".join(c.text for c in row.cells))
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_fonts(path: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) of every font of a PDF, as pdffonts (poppler-utils) lists them."""
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()
    out = []
    for line in lines[2:]:
        fields = line.split()
        # name, type (one or two words), encoding, emb, sub, uni, object, id
        out.append((fields[0], fields[-5] == "yes"))
    return out


def pptx_slides_text(path: Path) -> list[str]:
    out = []
    for slide in Presentation(str(path)).slides:
        parts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    parts.append("\t".join(c.text for c in row.cells))
        out.append("\n".join(parts))
    return out


def pptx_text(path: Path) -> str:
    return "\n".join(pptx_slides_text(path))


def numbers_in(text: str) -> list[str]:
    return NUMBER.findall(text)


def pdf_pages_png(pdf: Path, out_dir: Path, dpi: int = 80) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / "page"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True)
    return sorted(out_dir.glob("page-*.png"))


def _px(value: int, scale: float) -> int:
    return int(Emu(value).inches * scale)


def _colour(fill) -> str | None:
    try:
        if fill.type == 1:  # solid
            return f"#{fill.fore_color.rgb}"
    except (AttributeError, TypeError):
        return None
    return None


def _font(size_pt: float, scale: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(CJK_FONT, max(8, int(size_pt / 72 * scale)))


def _wrapped(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines = []
    for para in text.split("\n"):
        line = ""
        for ch in para:
            if draw.textlength(line + ch, font=font) > width and line:
                lines.append(line)
                line = ch
            else:
                line += ch
        lines.append(line)
    return lines


def _runs_style(frame) -> tuple[float, str]:
    for p in frame.paragraphs:
        for r in p.runs:
            size = r.font.size.pt if r.font.size else 18
            try:
                colour = f"#{r.font.color.rgb}"
            except AttributeError:
                colour = "#000000"
            return size, colour
    return 18, "#000000"


def _draw_text(draw, frame, box: tuple[int, int, int, int], scale: float) -> None:
    size, colour = _runs_style(frame)
    font = _font(size, scale)
    x, y, right, _bottom = box
    for line in _wrapped(draw, frame.text, font, max(10, right - x - 4)):
        draw.text((x + 2, y), line, fill=colour, font=font)
        y += int(font.size * 1.25)


def slide_png(path: Path, index: int, out: Path, scale: float = 96) -> Path:
    """Slide `index` of the deck drawn at `scale` pixels per inch."""
    prs = Presentation(str(path))
    slide = prs.slides[index]
    image = Image.new("RGB", (_px(prs.slide_width, scale), _px(prs.slide_height, scale)), "white")
    draw = ImageDraw.Draw(image)
    for shape in slide.shapes:
        left, top = _px(shape.left, scale), _px(shape.top, scale)
        right, bottom = left + _px(shape.width, scale), top + _px(shape.height, scale)
        if shape.shape_type == 13:  # picture
            picture = Image.open(io.BytesIO(shape.image.blob)).convert("RGB")
            image.paste(picture.resize((max(1, right - left), max(1, bottom - top))), (left, top))
            continue
        if getattr(shape, "has_table", False) and shape.has_table:
            y = top
            for row in shape.table.rows:
                x = left
                height = _px(row.height, scale)
                for column, cell in zip(shape.table.columns, row.cells):
                    width = _px(column.width, scale)
                    draw.rectangle((x, y, x + width, y + height), fill=_colour(cell.fill) or "white", outline="#90A4AE")
                    _draw_text(draw, cell.text_frame, (x + 2, y + 2, x + width - 2, y + height), scale)
                    x += width
                y += height
            continue
        fill = _colour(shape.fill) if hasattr(shape, "fill") else None
        if fill:
            draw.rectangle((left, top, right, bottom), fill=fill)
        if shape.has_text_frame and shape.text_frame.text:
            _draw_text(draw, shape.text_frame, (left, top, right, bottom), scale)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out)
    return out
