"""Reading Chinese as pinyin, for finding a name by its pinyin or initials: what people and places share.

pypinyin reads a character by its most common reading; a character that names read more than one way
(长 chang or zhang, 朝 zhao or chao) gives one variant per reading, so that ``wcc`` and ``wzc`` both find
王长春 and ``zc`` and ``cc`` both find a 长春村. ``veterans.pinyin`` adds the surnames' own readings.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence

from pypinyin import lazy_pinyin

#: at most this many readings of one name are kept
MAX_VARIANTS = 8

#: Characters that names read in more than one way, the more common in names first.
GIVEN_NAME_READINGS: dict[str, tuple[str, ...]] = {
    "长": ("chang", "zhang"), "朝": ("zhao", "chao"), "行": ("xing", "hang"), "重": ("zhong", "chong"),
    "乐": ("le", "yue"), "觉": ("jue", "jiao"), "传": ("chuan", "zhuan"), "茜": ("qian", "xi"),
    "蔚": ("wei", "yu"), "柏": ("bai", "bo"), "曾": ("zeng", "ceng"), "单": ("dan", "shan"),
    "参": ("can", "shen"), "藏": ("zang", "cang"), "会": ("hui", "kuai"), "省": ("sheng", "xing"),
    "还": ("huan", "hai"), "调": ("tiao", "diao"), "都": ("du", "dou"), "奇": ("qi", "ji"),
    "率": ("shuai", "lv"), "角": ("jiao", "jue"), "便": ("bian", "pian"), "降": ("jiang", "xiang"),
    "解": ("jie", "xie"), "弹": ("dan", "tan"), "宿": ("su", "xiu"), "莘": ("shen", "xin"),
    "晟": ("sheng", "cheng"), "露": ("lu", "lou"), "薄": ("bo", "bao"), "覃": ("qin", "tan"),
    "秘": ("mi", "bi"), "种": ("zhong", "chong"), "查": ("cha", "zha"), "仇": ("chou", "qiu"),
    "朴": ("pu", "piao"), "区": ("qu", "ou"), "盖": ("gai", "ge"), "缪": ("miao", "mou"),
    "员": ("yuan", "yun"), "翟": ("zhai", "di"), "卜": ("bu", "bo"), "能": ("neng", "nai"),
    "尉": ("wei", "yu"), "繁": ("fan", "po"), "车": ("che", "ju"), "差": ("cha", "chai"),
    "落": ("luo", "lao"), "艾": ("ai", "yi"), "期": ("qi", "ji"), "汤": ("tang", "shang"),
    "贾": ("jia", "gu"), "那": ("na", "nuo"), "折": ("zhe", "she"), "召": ("zhao", "shao"),
    "句": ("ju", "gou"), "乘": ("cheng", "sheng"), "系": ("xi", "ji"), "模": ("mo", "mu"),
    "给": ("gei", "ji"), "殷": ("yin", "yan"), "俞": ("yu", "shu"), "隗": ("wei", "kui"),
    "粘": ("nian", "zhan"), "阚": ("kan", "han"), "冲": ("chong",), "正": ("zheng",), "中": ("zhong",),
    "少": ("shao",), "好": ("hao",), "相": ("xiang",), "应": ("ying",), "兴": ("xing",),
    "冠": ("guan",), "更": ("geng",), "将": ("jiang",), "发": ("fa",), "为": ("wei",), "和": ("he",),
    "大": ("da",), "家": ("jia",), "华": ("hua",), "强": ("qiang",), "石": ("shi",), "沈": ("shen",),
    "任": ("ren",), "万": ("wan",), "曲": ("qu",), "颉": ("jie", "xie"), "济": ("ji",), "燕": ("yan",),
    "厦": ("xia", "sha"), "蕃": ("fan", "bo"), "炅": ("jiong", "gui"), "阿": ("a", "e"),
}  # fmt: skip


@functools.lru_cache(maxsize=20_000)
def _syllable(char: str) -> str:
    found = lazy_pinyin(char, errors="ignore")
    return found[0].lower() if found and found[0].isascii() and found[0].isalpha() else ""


def char_readings(char: str) -> tuple[str, ...]:
    """A character's readings in names, the most common first (none for a character without one)."""
    found = GIVEN_NAME_READINGS.get(char)
    if found:
        return found
    syllable = _syllable(char)
    return (syllable,) if syllable else ()


def variants_of(readings: Sequence[tuple[str, ...]]) -> tuple[tuple[str, str], ...]:
    """Every (full pinyin, initials) from each syllable's readings, in itertools.product's order (the first
    takes every syllable's first reading), at most MAX_VARIANTS: past the cap, the rarer combinations go."""
    found: list[tuple[str, str]] = []
    for syllables in itertools.product(*(r for r in readings if r)):
        variant = ("".join(syllables), "".join(s[0] for s in syllables))
        if variant not in found:
            found.append(variant)
            if len(found) == MAX_VARIANTS:
                break
    return tuple(found) or (("", ""),)


@functools.lru_cache(maxsize=50_000)
def place_readings(name: str) -> tuple[tuple[str, str], ...]:
    """A place name's readings: pypinyin's reading of the whole name (it knows 乍浦 zhapu) first, then each
    reading its polyphonic characters have."""
    phrase = [s.lower() for s in lazy_pinyin(name, errors="ignore") if s.isascii() and s.isalpha()]
    first = ("".join(phrase), "".join(s[0] for s in phrase))
    others = variants_of([char_readings(c) for c in name if not c.isspace()])
    return tuple(dict.fromkeys((first, *others)))[:MAX_VARIANTS]
