"""The pinyin a name is found by: its surname read as a surname, every reading of its given name.

pypinyin reads one character at a time by the character's most common reading, which is often not the
surname's (卜 bo, but the surname is bu; 万俟 is moqi) nor the one a given name uses (长 zhang, but 王长春
is wang chang chun). So a surname is read from the tables of the 百家姓 below (a compound surname
first), and a given-name character that names read more than one way (长 chang or zhang, 朝 zhao or
chao) gives one variant per reading, so that ``wcc`` and ``wzc`` both find 王长春. The first variant
is kept on the record (its ``name_pinyin`` sorts the list); the others become search keys
(``search_keys``), capped at ``MAX_VARIANTS`` per name.
"""

from __future__ import annotations

import functools

from core.pinyin import MAX_VARIANTS as MAX_VARIANTS  # the cap, as this module has always named it
from core.pinyin import char_readings, variants_of

#: The compound surnames (复姓) of the 百家姓, as surnames are read, a syllable for each character.
COMPOUND_SURNAMES = {
    "万俟": "mo qi", "司马": "si ma", "上官": "shang guan", "欧阳": "ou yang", "夏侯": "xia hou",
    "诸葛": "zhu ge", "闻人": "wen ren", "东方": "dong fang", "赫连": "he lian", "皇甫": "huang fu",
    "尉迟": "yu chi", "公羊": "gong yang", "澹台": "tan tai", "公冶": "gong ye", "宗政": "zong zheng",
    "濮阳": "pu yang", "淳于": "chun yu", "单于": "chan yu", "太叔": "tai shu", "申屠": "shen tu",
    "公孙": "gong sun", "仲孙": "zhong sun", "轩辕": "xuan yuan", "令狐": "ling hu", "钟离": "zhong li",
    "宇文": "yu wen", "长孙": "zhang sun", "慕容": "mu rong", "鲜于": "xian yu", "闾丘": "lv qiu",
    "司徒": "si tu", "司空": "si kong", "亓官": "qi guan", "司寇": "si kou", "仉督": "zhang du",
    "子车": "zi ju", "颛孙": "zhuan sun", "端木": "duan mu", "巫马": "wu ma", "公西": "gong xi",
    "漆雕": "qi diao", "乐正": "yue zheng", "壤驷": "rang si", "公良": "gong liang", "拓跋": "tuo ba",
    "夹谷": "jia gu", "宰父": "zai fu", "谷梁": "gu liang", "段干": "duan gan", "百里": "bai li",
    "东郭": "dong guo", "南门": "nan men", "呼延": "hu yan", "归海": "gui hai", "羊舌": "yang she",
    "微生": "wei sheng", "梁丘": "liang qiu", "左丘": "zuo qiu", "东门": "dong men", "西门": "xi men",
    "商牟": "shang mou", "伯赏": "bo shang", "南宫": "nan gong", "第五": "di wu", "公户": "gong hu",
    "公玉": "gong yu", "公仪": "gong yi", "梁余": "liang yu", "公仲": "gong zhong", "公上": "gong shang",
    "公门": "gong men", "公山": "gong shan", "公坚": "gong jian", "左人": "zuo ren", "公伯": "gong bo",
    "西乡": "xi xiang", "即墨": "ji mo",
}  # fmt: skip

#: Single surnames read otherwise than the character's common reading (曾 zeng, not ceng), and those
#: pypinyin reads right but that are polyphonic, so that nobody "corrects" them later. A surname that
#: two families read differently (乐 yue and le) has both, the more common first.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "卜": ("bu",), "阚": ("kan",), "长": ("chang",), "隗": ("wei", "kui"), "粘": ("nian",), "乜": ("nie",),
    "能": ("nai",), "尉": ("wei",), "曾": ("zeng",), "单": ("shan",), "仇": ("qiu",), "解": ("xie",),
    "区": ("ou",), "朴": ("piao",), "查": ("zha",), "翟": ("zhai",), "乐": ("yue", "le"), "盖": ("ge", "gai"),
    "曲": ("qu",), "种": ("chong",), "缪": ("miao",), "覃": ("qin", "tan"), "召": ("shao",), "折": ("she",),
    "员": ("yun",), "秘": ("bi",), "万": ("wan",), "洗": ("xian",), "冼": ("xian",), "薄": ("bo",), "车": ("che",),
    "重": ("chong",), "句": ("gou",), "过": ("guo",), "都": ("du",), "颉": ("xie",), "繁": ("po",), "黑": ("he",),
    "葛": ("ge",), "华": ("hua",), "任": ("ren",), "沈": ("shen",), "石": ("shi",), "朝": ("chao",),
    "谌": ("chen", "shen"), "宿": ("su",), "贾": ("jia",), "佴": ("nai",), "燕": ("yan",), "那": ("na",),
    "殷": ("yin",), "俞": ("yu",), "应": ("ying",), "相": ("xiang",), "逄": ("pang",), "厍": ("she",),
    "柏": ("bai",), "郇": ("huan",), "祭": ("zhai",), "恽": ("yun",), "费": ("fei",), "莘": ("shen",),
    "訾": ("zi",), "隽": ("juan",), "汤": ("tang",), "和": ("he",), "令": ("ling",), "纪": ("ji",),
    "宓": ("mi", "fu"), "郗": ("xi", "chi"), "藏": ("zang",),
    "强": ("qiang",), "大": ("da",), "行": ("xing",), "参": ("can",), "蔚": ("yu", "wei"),
    "阿": ("a",), "艾": ("ai",), "占": ("zhan",), "炅": ("gui", "jiong"), "舍": ("she",), "家": ("jia",),
}  # fmt: skip


def _readings(name: str) -> list[tuple[str, ...]]:
    """For each syllable of the name, its readings, the most likely first; the surname as a surname."""
    chars = [c for c in name if not c.isspace()]
    if len(chars) >= 3 and "".join(chars[:2]) in COMPOUND_SURNAMES:
        surname: list[tuple[str, ...]] = [(s,) for s in COMPOUND_SURNAMES["".join(chars[:2])].split()]
        given = chars[2:]
    elif chars and chars[0] in SURNAME_READINGS:
        surname, given = [SURNAME_READINGS[chars[0]]], chars[1:]
    else:
        surname, given = [], chars
    return [r for r in surname + [char_readings(c) for c in given] if r]


@functools.lru_cache(maxsize=50_000)
def pinyin_variants(name: str) -> tuple[tuple[str, str], ...]:
    """Every (full pinyin, initials) a name may be read as, the most likely first, at most MAX_VARIANTS."""
    return variants_of(_readings(name))


def pinyin_of(name: str) -> tuple[str, str]:
    """Full pinyin and initials (张三丽 → zhangsanli, zsl) as the record keeps them: the likeliest reading."""
    return pinyin_variants(name)[0]


#: What starts a search key among a name's pieces (VeteranNameGram): no piece of a name starts with it.
KEY_MARK = "~"
#: A piece is at most this long (VeteranNameGram.gram).
KEY_LENGTH = 60


@functools.lru_cache(maxsize=50_000)
def search_keys(name: str) -> frozenset[str]:
    """The pieces a name's other readings are found by, for a search that the record's own reading misses.

    A Latin search is a prefix of the full pinyin or of the initials. A prefix of the record's own
    pinyin or initials is found through their indexed columns; every other prefix of another
    variant is kept as a piece (``~wz`` and ``~wzc`` for 王长春, whose record reads wangchangchun,
    wcc), matched exactly through the pieces' index."""
    variants = pinyin_variants(name)
    full, initials = variants[0]
    keys: set[str] = set()
    for other in variants[1:]:
        for text in other:
            for end in range(1, min(len(text), KEY_LENGTH - len(KEY_MARK)) + 1):
                prefix = text[:end]
                if not (full.startswith(prefix) or initials.startswith(prefix)):
                    keys.add(KEY_MARK + prefix)
    return frozenset(keys)
