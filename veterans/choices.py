"""The registry's enumerations: one English value each, with the Chinese term that import files use."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# (value, English label, Chinese term). The Chinese term is the zh-hans translation
# of the label and the word an import file or the template's drop-down uses.
BRANCHES = [
    ("army", "Army", "陆军"),
    ("navy", "Navy", "海军"),
    ("air_force", "Air Force", "空军"),
    ("rocket_force", "Rocket Force", "火箭军"),
    ("aerospace", "Aerospace Force", "军事航天部队"),
    ("cyberspace", "Cyberspace Force", "网络空间部队"),
    ("information_support", "Information Support Force", "信息支援部队"),
    ("joint_logistics", "Joint Logistic Support Force", "联勤保障部队"),
    ("strategic_support", "Strategic Support Force (before 2024)", "战略支援部队"),
    ("armed_police", "People's Armed Police", "武警部队"),
    ("other", "Other", "其他"),
]
DISCHARGE_TYPES = [
    ("retired", "Retired", "退休"),
    ("transferred", "Transferred to civilian work", "转业"),
    ("monthly_pension", "Monthly retirement pay", "逐月领取退役金"),
    ("demobilised", "Demobilised", "复员"),
    ("discharged", "Discharged (conscript service ended)", "退伍"),
]
PLACEMENTS = [
    ("assigned_job", "Job assigned", "安排工作"),
    ("self_employed", "Self-arranged employment", "自主就业"),
    ("retired", "Retirement placement", "退休"),
    ("supported", "State support", "供养"),
]
POLITICAL_STATUSES = [
    ("party_member", "Communist Party member", "中共党员"),
    ("probationary_member", "Probationary Party member", "中共预备党员"),
    ("league_member", "Youth League member", "共青团员"),
    ("democratic_party", "Democratic party member", "民主党派"),
    ("masses", "No party affiliation", "群众"),
]
EDUCATION = [
    ("postgraduate", "Postgraduate", "研究生"),
    ("bachelor", "Bachelor", "本科"),
    ("college", "College", "大专"),
    ("high_school", "High school or technical secondary", "高中/中专"),
    ("junior_high", "Junior high", "初中"),
    ("primary", "Primary or less", "小学及以下"),
]
EMPLOYMENT = [
    ("employed", "Employed", "在职"),
    ("entrepreneur", "Running a business", "自主创业"),
    ("flexible", "Flexible employment", "灵活就业"),
    ("unemployed", "Seeking work", "待业"),
    ("retired", "Retired", "退休"),
    ("other", "Other", "其他"),
]
CATEGORIES = [
    ("disabled_soldier", "Disabled serviceman", "残疾军人"),
    ("martyr_family", "Martyr's surviving family", "烈士遗属"),
    ("duty_death_family", "Family of a serviceman who died on duty", "因公牺牲军人遗属"),
    ("illness_death_family", "Family of a serviceman who died of illness", "病故军人遗属"),
    ("demobilised_rural", "Demobilised serviceman living in the countryside", "在乡复员军人"),
    ("returned_ill", "Discharged soldier returned home with illness", "带病回乡退伍军人"),
    ("war_or_test_veteran", "Veteran of war or of weapons tests", "参战参试退役人员"),
    ("rural_over_60", "Rural discharged soldier aged 60 or over", "60周岁以上农村籍退役士兵"),
]
DISABILITY_CAUSES = [
    ("war", "In war", "因战"),
    ("duty", "On duty", "因公"),
    ("illness", "By illness", "因病"),
]
GENDERS = [("M", "Male", "男"), ("F", "Female", "女")]
RELATIONS = [
    ("spouse", "Spouse", "配偶"),
    ("child", "Child", "子女"),
    ("parent", "Father or mother", "父母"),
    ("sibling", "Sibling", "兄弟姐妹"),
    ("other", "Other", "其他"),
]
ETHNICITIES = (  # noqa: SIM905 (56 names read better as one text)
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 "
    "傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 "
    "毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 "
    "塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()


def choices(table: list[tuple[str, str, str]]) -> list[tuple[str, object]]:
    return [(value, _(en)) for value, en, _zh in table]


def zh_terms(table: list[tuple[str, str, str]]) -> dict[str, str]:
    """Chinese term → value, the lookup an import uses."""
    return {zh: value for value, _en, zh in table}


def zh_label(table: list[tuple[str, str, str]], value: str) -> str:
    return next((zh for v, _en, zh in table if v == value), value)


class Status(models.TextChoices):
    LIVING = "living", _("Living")
    DECEASED = "deceased", _("Deceased")


class Precision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
