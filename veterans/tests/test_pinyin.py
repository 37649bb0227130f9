"""Names are found by their pinyin as people read them (issue 10): a surname as a surname, a compound
surname as one, and every reading of a polyphonic given name (王长春 by wcc and by wzc)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from accounts.testing import Network
from core.testing_db import migrate_apps
from core.testing_db import migrated_back as migrated_back_to
from veterans.models import Veteran, VeteranNameGram
from veterans.pinyin import COMPOUND_SURNAMES, MAX_VARIANTS, pinyin_of, pinyin_variants, search_keys
from veterans.search import reindex_names
from veterans.tests.factories import register

#: Name, the full pinyin and initials the record keeps (its likeliest reading).
READINGS = [
    # single surnames pypinyin reads by another reading
    ("卜凡", "bufan", "bf"), ("阚洪", "kanhong", "kh"), ("长海", "changhai", "ch"), ("隗明", "weiming", "wm"),
    ("粘文", "nianwen", "nw"), ("乜红", "niehong", "nh"), ("能辉", "naihui", "nh"), ("尉强", "weiqiang", "wq"),
    ("单雄", "shanxiong", "sx"), ("区伟", "ouwei", "ow"), ("仇刚", "qiugang", "qg"), ("解放", "xiefang", "xf"),
    ("查良", "zhaliang", "zl"), ("曾国", "zengguo", "zg"), ("朴成", "piaocheng", "pc"), ("翟志", "zhaizhi", "zz"),
    ("盖伟", "gewei", "gw"), ("缪杰", "miaojie", "mj"), ("覃斌", "qinbin", "qb"), ("繁华", "pohua", "ph"),
    ("员明", "yunming", "ym"), ("秘书", "bishu", "bs"), ("种师", "chongshi", "cs"), ("华山", "huashan", "hs"),
    ("任平", "renping", "rp"), ("沈阳", "shenyang", "sy"), ("石磊", "shilei", "sl"), ("乐毅", "yueyi", "yy"),
    ("召平", "shaoping", "sp"), ("折兰", "shelan", "sl"), ("谌明", "chenming", "cm"), ("宿华", "suhua", "sh"),
    ("曾小明", "zengxiaoming", "zxm"), ("张三丽", "zhangsanli", "zsl"), ("李·明", "liming", "lm"),
    # compound surnames
    ("尉迟恭", "yuchigong", "ycg"), ("万俟卨", "moqixie", "mqx"), ("澹台明", "tantaiming", "ttm"),
    ("单于平", "chanyuping", "cyp"), ("子车英", "zijuying", "zjy"), ("欧阳修", "ouyangxiu", "oyx"),
    ("司马光", "simaguang", "smg"), ("上官婉", "shangguanwan", "sgw"), ("诸葛亮", "zhugeliang", "zgl"),
    ("东方明", "dongfangming", "dfm"), ("皇甫嵩", "huangfusong", "hfs"), ("令狐冲", "linghuchong", "lhc"),
    ("公孙胜", "gongsunsheng", "gss"), ("慕容复", "murongfu", "mrf"), ("长孙无忌", "zhangsunwuji", "zswj"),
    ("宇文泰", "yuwentai", "ywt"), ("夏侯惇", "xiahoudun", "xhd"), ("端木赐", "duanmuci", "dmc"),
    ("钟离春", "zhonglichun", "zlc"), ("闻人杰", "wenrenjie", "wrj"), ("赫连勃", "helianbo", "hlb"),
    ("鲜于通", "xianyutong", "xyt"), ("呼延灼", "huyanzhuo", "hyz"), ("淳于髡", "chunyukun", "cyk"),
    ("乐正华", "yuezhenghua", "yzh"), ("闾丘明", "lvqiuming", "lqm"),
    # polyphonic given names: the reading names use most
    ("王长春", "wangchangchun", "wcc"), ("李长生", "lichangsheng", "lcs"), ("赵长江", "zhaochangjiang", "zcj"),
    ("张朝霞", "zhangzhaoxia", "zzx"), ("刘重阳", "liuzhongyang", "lzy"), ("张行", "zhangxing", "zx"),
    ("陈乐", "chenle", "cl"), ("周茜", "zhouqian", "zq"),
]  # fmt: skip

#: Name and readings a search must also find it by.
OTHER_READINGS = [
    ("王长春", "wangzhangchun", "wzc"), ("李长生", "lizhangsheng", "lzs"), ("赵长江", "zhaozhangjiang", "zzj"),
    ("张朝霞", "zhangchaoxia", "zcx"), ("刘重阳", "liuchongyang", "lcy"), ("张行", "zhanghang", "zh"),
    ("陈乐", "chenyue", "cy"), ("周茜", "zhouxi", "zx"), ("乐毅", "leyi", "ly"), ("盖伟", "gaiwei", "gw"),
    ("覃斌", "tanbin", "tb"), ("黄传", "huangzhuan", "hz"),
]  # fmt: skip


#: The single surnames of the 百家姓, in its order.
BAIJIAXING = (
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎鲁韦昌马苗凤花方"
    "俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平黄和穆萧尹姚邵湛汪祁毛禹狄米贝明臧"
    "计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫"
    "经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫乌焦巴弓"
    "牧隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙"
    "池乔阴鬱胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍郤璩桑桂濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容"
    "向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾毋沙乜养鞠须丰"
    "巢关蒯相查后荆红游竺权逯盖益桓公"
)

#: How each polyphonic single surname of the 百家姓 is read as a surname (checked against a table of
#: standard surname readings; pypinyin's dictionary gives each of them two readings or more).
# One string, as a table is read: a list literal of 168 pairs would be 168 lines.
SURNAMES = dict(pair.split(":") for pair in (  # noqa: SIM905
    "吴:wu 王:wang 冯:feng 褚:chu 沈:shen 朱:zhu 许:xu 施:shi 华:hua 陶:tao 戚:qi 柏:bai 潘:pan 葛:ge 彭:peng "
    "方:fang 俞:yu 任:ren 费:fei 倪:ni 汤:tang 殷:yin 郝:hao 乐:yue 于:yu 卞:bian 齐:qi 余:yu 卜:bu 平:ping 和:he "
    "尹:yin 姚:yao 湛:zhan 汪:wang 祁:qi 狄:di 明:ming 臧:zang 纪:ji 舒:shu 屈:qu 祝:zhu 董:dong 杜:du 阮:ruan "
    "蓝:lan 强:qiang 贾:jia 路:lu 童:tong 盛:sheng 夏:xia 蔡:cai 霍:huo 万:wan 支:zhi 莫:mo 房:fang 缪:miao 干:gan "
    "解:xie 应:ying 丁:ding 贲:ben 邓:deng 单:shan 杭:hang 包:bao 石:shi 嵇:ji 邢:xing 滑:hua 裴:pei 陆:lu 於:yu "
    "甄:zhen 曲:qu 家:jia 封:feng 芮:rui 糜:mi 焦:jiao 隗:wei 谷:gu 车:che 宓:mi 郗:xi 仰:yang 宁:ning 仇:qiu "
    "暴:bao 甘:gan 钭:tou 戎:rong 祖:zu 景:jing 詹:zhan 叶:ye 幸:xing 司:si 薄:bo 印:yin 宿:su 白:bai 怀:huai "
    "蒲:pu 从:cong 咸:xian 籍:ji 池:chi 能:nai 莘:shen 翟:zhai 逄:pang 姬:ji 扶:fu 堵:du 冉:ran 燕:yan 尚:shang "
    "温:wen 庄:zhuang 柴:chai 瞿:qu 艾:ai 容:rong 古:gu 慎:shen 暨:ji 居:ju 都:du 匡:kuang 广:guang 蔚:yu 越:yue "
    "厍:she 晁:chao 冷:leng 訾:zi 阚:kan 那:na 曾:zeng 毋:wu 沙:sha 乜:nie 鞠:ju 相:xiang 查:zha 红:hong 游:you "
    "竺:zhu 逯:lu 盖:ge "
    # not of the 百家姓's text, but surnames all the same
    "区:ou 朴:piao 覃:qin 繁:po 员:yun 秘:bi 种:chong 召:shao 折:she 尉:wei 长:chang 粘:nian 谌:chen 冼:xian"
).split())  # fmt: skip


def test_every_polyphonic_surname_of_the_baijiaxing_is_checked() -> None:
    from pypinyin import Style, pinyin

    assert len(BAIJIAXING) == len(set(BAIJIAXING)) == 408
    polyphonic = {c for c in BAIJIAXING if len(set(pinyin(c, style=Style.NORMAL, heteronym=True)[0])) > 1}
    assert polyphonic <= set(SURNAMES), sorted(polyphonic - set(SURNAMES))


@pytest.mark.parametrize(("surname", "reading"), sorted(SURNAMES.items()))
def test_a_polyphonic_surname_is_read_as_a_surname(surname: str, reading: str) -> None:
    full, initials = pinyin_of(surname + "明")
    assert (full, initials) == (reading + "ming", reading[0] + "m")


def test_the_table_is_broad() -> None:
    assert len(READINGS) >= 60 and len({name for name, *_ in READINGS}) == len(READINGS)


@pytest.mark.parametrize(("name", "full", "initials"), READINGS)
def test_a_name_is_read_as_people_read_it(name: str, full: str, initials: str) -> None:
    assert pinyin_of(name) == (full, initials)


@pytest.mark.parametrize(("name", "full", "initials"), OTHER_READINGS)
def test_a_polyphonic_given_name_has_every_reading(name: str, full: str, initials: str) -> None:
    assert (full, initials) in pinyin_variants(name)


@pytest.mark.parametrize("surname", sorted(COMPOUND_SURNAMES))
def test_every_compound_surname_is_read_as_one(surname: str) -> None:
    syllables = COMPOUND_SURNAMES[surname].split()
    full, initials = pinyin_of(surname + "明")
    assert len(syllables) == 2
    assert (full, initials) == ("".join(syllables) + "ming", syllables[0][0] + syllables[1][0] + "m")


def test_a_two_character_name_is_a_surname_and_a_given_name() -> None:
    # 长江 is 长 (chang, as a surname) and 江, not the start of a compound surname.
    assert pinyin_of("长江") == ("changjiang", "cj") and pinyin_of("欧阳") == ("ouyang", "oy")


def test_the_variants_are_capped() -> None:
    name = "乐长朝行重觉传"
    assert len(pinyin_variants(name)) == MAX_VARIANTS
    assert pinyin_variants(name)[0] == pinyin_of(name)


def test_a_name_with_one_reading_has_no_search_keys() -> None:
    assert search_keys("张三丽") == frozenset() and search_keys("欧阳修") == frozenset()
    assert {"~wz", "~wzc", "~wangzhangchun"} <= search_keys("王长春")
    assert "~w" not in search_keys("王长春") and "~wangchang" not in search_keys("王长春")


# --- searching --------------------------------------------------------------------------------------------


@pytest.fixture
def people(net: Network) -> dict[str, Veteran]:
    actor = net.users["town_staff"]
    return {
        name: register(actor, net.village, name=name)
        for name in ("王长春", "王章纯", "张朝霞", "万俟卨", "卜凡", "张三丽")
    }


def found(net: Network, q: str) -> list[str]:
    page = net.client("town_staff").get("/veterans/", {"q": q})
    api = net.api_client("town_staff").get("/api/v1/veterans", {"q": q}).json()["items"]
    names = sorted(v.name for v in page.context["rows"])
    assert names == sorted(item["name"] for item in api)
    return names


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("wcc", ["王长春"]),
        ("wzc", ["王长春", "王章纯"]),
        ("wangchangchun", ["王长春"]),
        ("WangZh", ["王长春", "王章纯"]),
        ("zzx", ["张朝霞"]),
        ("zcx", ["张朝霞"]),
        ("zhangchao", ["张朝霞"]),
        ("moqi", ["万俟卨"]),
        ("mqx", ["万俟卨"]),
        ("bufan", ["卜凡"]),
        ("bofan", []),
        ("zsl", ["张三丽"]),
        ("w", ["王长春", "王章纯"]),
    ],
)
def test_the_search_finds_every_reading(net: Network, people: dict[str, Veteran], q: str, names: list[str]) -> None:
    assert found(net, q) == sorted(names)


@pytest.mark.django_db
def test_wangzhangchun_finds_both(net: Network, people: dict[str, Veteran]) -> None:
    assert found(net, "wangzhangchun") == sorted(["王长春", "王章纯"])


@pytest.mark.django_db
def test_a_rename_replaces_the_search_keys(net: Network, people: dict[str, Veteran]) -> None:
    from veterans.search import sync_grams

    veteran = people["王长春"]
    Veteran.objects.filter(pk=veteran.pk).update(name="王五")
    veteran.refresh_from_db()
    sync_grams(veteran)

    assert not VeteranNameGram.objects.filter(veteran=veteran, gram__startswith="~").exists()


@pytest.mark.django_db
def test_the_records_kept_before_are_read_again(net: Network, people: dict[str, Veteran]) -> None:
    """As the migration does: the old reading (卜 bo, 万俟 wanqi, 长 zhang) and no search keys."""
    old = {"卜凡": ("bofan", "bf"), "万俟卨": ("wanqixie", "wqx"), "王长春": ("wangzhangchun", "wzc")}
    for name, (full, initials) in old.items():
        Veteran.objects.filter(pk=people[name].pk).update(name_pinyin=full, name_initials=initials)
    VeteranNameGram.objects.filter(gram__startswith="~").delete()
    assert found(net, "bufan") == [] and found(net, "wcc") == []

    reindex_names()

    assert found(net, "bufan") == ["卜凡"] and found(net, "moqi") == ["万俟卨"]
    assert found(net, "wcc") == ["王长春"] and "王长春" in found(net, "wzc")
    assert Veteran.objects.get(pk=people["王长春"].pk).name_pinyin == "wangchangchun"


# --- the migration ------------------------------------------------------------------------------------------

BEFORE = [("veterans", "0007_lighter_import")]
AFTER = [("veterans", "0008_pinyin_readings")]


@pytest.fixture
def migrated_back() -> Any:
    with migrated_back_to(BEFORE) as apps:
        yield apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_reads_the_kept_names_again(migrated_back: Any) -> None:
    old = migrated_back
    village = old.get_model("regions", "Region").objects.create(
        code="330482001001", name="村", level="village", prefix="330482001001"
    )
    kept = old.get_model("veterans", "Veteran").objects.create(
        name="王长春", name_pinyin="wangzhangchun", name_initials="wzc", gender="M", birth_date=dt.date(1970, 1, 1),
        id_number_enc="", id_hash="h", id_tail4_hash="", id_tail5_hash="", id_tail6_hash="", region=village,
        region_code=village.code, enlisted_on=dt.date(1988, 1, 1), discharged_on=dt.date(1992, 1, 1),
        discharge_type="discharged",
    )  # fmt: skip
    old.get_model("veterans", "VeteranNameGram").objects.create(veteran_id=kept.pk, gram="王")

    migrate_apps(AFTER)

    veteran = Veteran.objects.get(pk=kept.pk)
    assert (veteran.name_pinyin, veteran.name_initials) == ("wangchangchun", "wcc")
    pieces = set(VeteranNameGram.objects.filter(veteran=veteran).values_list("gram", flat=True))
    assert pieces == {"王"} | search_keys("王长春")
