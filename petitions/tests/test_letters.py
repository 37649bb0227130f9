"""The letters as a reader shows them: the font is embedded, and the Chinese text is inked on the page."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pypdf
import pypdfium2 as pdfium
import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.testing import Network
from petitions import letters
from petitions.tests.helpers import drive, register_petition

pytestmark = pytest.mark.django_db

STANDARD_14 = {
    f"/{name}"
    for family in ("Helvetica", "Courier")
    for name in (family, f"{family}-Bold", f"{family}-Oblique", f"{family}-BoldOblique")
} | {"/Times-Roman", "/Times-Bold", "/Times-Italic", "/Times-BoldItalic", "/Symbol", "/ZapfDingbats"}


class _NoSystemFonts(pdfium.PdfSysfontBase):  # type: ignore[misc]  # pypdfium2 ships no types
    """A reader with no fonts of its own (poppler without poppler-data, a kiosk): only what the PDF embeds."""

    def MapFont(self, *args: Any) -> None:  # pdfium's callback names
        return None

    def GetFont(self, *args: Any) -> None:
        return None


@contextmanager
def reader_without_system_fonts() -> Iterator[None]:
    handler = _NoSystemFonts()
    handler.setup()
    try:
        yield
    finally:
        handler.close()


def page_one_gray(pdf: bytes, scale: float = 2.0) -> tuple[bytes, int, int, int]:
    """Page 1 rendered in grayscale: its pixels (0 black … 255 white), width, height and row stride."""
    document = pdfium.PdfDocument(pdf)
    try:
        bitmap = document[0].render(scale=scale, grayscale=True)
        return bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride
    finally:
        document.close()


def dark_pixels(pixels: bytes, stride: int, box: tuple[int, int, int, int]) -> int:
    left, top, right, bottom = box
    return sum(1 for y in range(top, bottom) for x in range(left, right) if pixels[y * stride + x] < 128)


def text_box(pdf: bytes, text: str, scale: float = 2.0) -> tuple[int, int, int, int]:
    """Where ``text`` is on page 1, in the pixels of :func:`page_one_gray` (left, top, right, bottom)."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        height = page.get_height()
        textpage = page.get_textpage()
        searcher = textpage.search(text)
        found = searcher.get_next()
        assert found, f"{text!r} is not in the letter's text"
        start, count = found
        boxes = [textpage.get_charbox(i) for i in range(start, start + count)]
        left, bottom = min(b[0] for b in boxes), min(b[1] for b in boxes)
        right, top = max(b[2] for b in boxes), max(b[3] for b in boxes)
        return (
            int(left * scale),
            int((height - top) * scale),
            int(right * scale) + 1,
            int((height - bottom) * scale) + 1,
        )
    finally:
        document.close()


def embedded_font_files(pdf: bytes) -> list[tuple[str, str]]:
    """Each font of page 1 with the stream that embeds it (FontFile, FontFile2, FontFile3) or "" when none."""
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    out = []
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        descendants = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
        for d in descendants:
            descriptor = d.get("/FontDescriptor")
            keys = descriptor.get_object().keys() if descriptor else []
            embedded = next((k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in keys), "")
            out.append((str(font["/BaseFont"]), embedded))
    return out


def acceptance_notice(net: Network) -> bytes:
    petition = drive(net, register_petition(net))
    response = net.client("city_staff").get(f"/petitions/{petition.case_id}/letters/acceptance.pdf")
    assert response.status_code == 200
    return response.content


def test_the_letter_embeds_a_truetype_subset_of_its_chinese_font(net: Network) -> None:
    pdf = acceptance_notice(net)
    fonts = dict(embedded_font_files(pdf))
    chinese = [name for name in fonts if "NotoSerifSC" in name]
    assert chinese and all(fonts[name] == "/FontFile2" for name in chinese), fonts
    # anything not embedded is one of the 14 standard fonts every reader has (reportlab's initial Helvetica)
    assert all(embedded or name in STANDARD_14 for name, embedded in fonts.items()), fonts
    assert len(pdf) < 200_000  # a subset of the 15 MB font, not the whole of it


def test_a_reader_without_chinese_fonts_shows_the_letters_chinese_text(net: Network) -> None:
    pdf = acceptance_notice(net)
    with reader_without_system_fonts():
        pixels, width, _height, stride = page_one_gray(pdf)
    for text in ("信访事项受理告知书", "李建国", "平湖市退役军人事务局"):
        box = text_box(pdf, text)
        area = (box[2] - box[0]) * (box[3] - box[1])
        assert dark_pixels(pixels, stride, box) > area * 0.05, f"no ink where {text!r} is"
    # the margins stay white: the ink found is the text's, not a page painted over
    assert dark_pixels(pixels, stride, (0, 0, width, 40)) == 0


def test_a_missing_font_is_named_with_the_way_to_install_it(settings: Any, tmp_path: Path) -> None:
    settings.LETTER_FONT_PATH = tmp_path / "none.ttf"
    assert "make fonts" in (letters.font_problem() or "")
    cff = tmp_path / "cff.otf"
    cff.write_bytes(b"OTTO" + bytes(100))
    settings.LETTER_FONT_PATH = cff
    assert "TrueType" in (letters.font_problem() or "")
    assert [w.id for w in letters.font_check()] == ["petitions.W001"]
    letters._styles.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="TrueType"):
            letters._styles()
    finally:
        letters._styles.cache_clear()
