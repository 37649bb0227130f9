"""The project's Chinese font for PDFs (letters, public notices), embedded as a subset in every file.

Noto Serif SC (a Song style face, as official documents use): a reader needs no Chinese font of its own
(reportlab's STSong-Light, which is not embedded, shows blank pages or boxes on a reader without Adobe-GB1
data). `make setup` installs it (settings.LETTER_FONT_PATH); reportlab reads only TrueType outlines.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

#: The name the font is registered under with reportlab.
FONT = "LetterSerif"


def font_problem() -> str | None:
    """Why the font cannot be used, for the system check and the error; None when it can."""
    path = Path(settings.LETTER_FONT_PATH)
    if not path.is_file():
        return (
            f"信函字体缺失：{path}（请运行 make fonts，或以 LETTER_FONT_PATH 指定 Noto Serif SC 的 TTF 文件）/ "
            f"The letters' font is missing at {path}: run `make fonts`, or set LETTER_FONT_PATH to a TrueType "
            "Chinese font (Noto Serif SC)."
        )
    try:
        TTFont(FONT, str(path))
    except TTFError as exc:
        return (
            f"信函字体不可用：{path}（须为 TrueType 轮廓的中文字体）/ The letters' font at {path} cannot be "
            f"embedded ({exc}): it must be a TrueType (glyf) Chinese font, not CFF/OpenType."
        )
    return None


def cjk_font() -> str:
    """Register the font with reportlab (refused, naming the way to install it, when it cannot be used) and
    return its name. Callers cache what they build on it: the check reads the font file."""
    problem = font_problem()
    if problem:
        raise ImproperlyConfigured(problem)
    pdfmetrics.registerFont(TTFont(FONT, str(settings.LETTER_FONT_PATH)))
    return FONT
