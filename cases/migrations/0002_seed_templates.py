"""The five stages' templates as the bureau starts with them; administrators edit them afterwards."""

from django.db import migrations

ID = ["name", "gender", "birth_date", "id_number"]
TEMPLATES = [
    ("reporting", "退役报到一件事", "退役军人到户籍地报到后，各部门并联办理。", 30, [
        ("退役报到登记", "", "town", 5, ["name", "id_number", "phone", "discharged_on", "discharge_type"]),
        ("发放一次性经济补助", "", "city", 30, ["name", "id_number", "discharge_type"]),
        ("恢复户口登记", "police", "city", 15, ID + ["address", "hukou_region"]),
        ("办理居民身份证", "police", "city", 30, ID + ["address"]),
        ("社会保险登记", "hrss", "city", 15, ID + ["phone"]),
        ("养老保险关系转移接续", "hrss", "city", 30, ID + ["discharged_on"]),
        ("申领社会保障卡", "hrss", "city", 30, ID + ["phone", "address"]),
        ("医疗保险参保登记", "medical_insurance", "city", 15, ID),
        ("医疗保险关系转移接续", "medical_insurance", "city", 30, ID + ["discharged_on"]),
        ("预备役登记", "armed_forces", "city", 30, ["name", "gender", "birth_date", "id_number", "branch", "discharged_on"]),
    ]),
    ("employment", "就业创业一件事", "就业登记、技能培训、创业扶持。", 30, [
        ("就业创业需求登记", "", "town", 5, ["name", "phone", "discharge_type"]),
        ("就业登记与职业介绍", "hrss", "city", 20, ["name", "gender", "birth_date", "phone"]),
        ("职业技能培训补贴", "hrss", "city", 30, ["name", "id_number", "phone"]),
        ("创业担保贷款与扶持", "", "city", 30, ["name", "id_number", "phone", "address"]),
    ]),
    ("care", "优待抚恤一件事", "优待证、抚恤补助与医疗优待。", 30, [
        ("优待证申领", "", "city", 20, ["name", "id_number", "discharged_on"]),
        ("抚恤补助资格认定", "", "city", 30, ["name", "id_number", "branch", "discharge_type"]),
        ("医疗优待与补助登记", "medical_insurance", "city", 20, ID),
    ]),
    ("assistance", "帮扶援助一件事", "困难退役军人的帮扶援助。", 20, [
        ("困难情况走访核实", "", "town", 5, ["name", "phone", "address"]),
        ("帮扶援助审批", "", "city", 15, ["name", "id_number", "address"]),
        ("社会救助衔接", "civil_affairs", "city", 20, ID + ["address"]),
        ("就业援助", "hrss", "city", 20, ["name", "gender", "birth_date", "phone"]),
    ]),
    ("after_death", "身后事一件事", "退役军人去世后，各部门并联办理。", 30, [
        ("户口注销", "police", "city", 15, ID + ["deceased_on", "hukou_region"]),
        ("殡葬服务与补助", "civil_affairs", "city", 15, ["name", "gender", "birth_date", "deceased_on", "address"]),
        ("丧葬补助金发放与养老金停发", "hrss", "city", 20, ID + ["deceased_on"]),
        ("医疗保险注销", "medical_insurance", "city", 15, ID + ["deceased_on"]),
        ("停发待遇并结算、发放一次性抚恤金", "", "city", 30, ID + ["deceased_on", "discharge_type"]),
    ]),
]


def seed(apps, schema_editor):
    CaseTemplate = apps.get_model("cases", "CaseTemplate")
    TemplateTask = apps.get_model("cases", "TemplateTask")
    for stage, name, description, limit, tasks in TEMPLATES:
        template, created = CaseTemplate.objects.get_or_create(
            stage=stage, defaults={"name": name, "description": description, "limit_days": limit, "working_days": True}
        )
        if not created:
            continue
        for order, (title, department, level, days, fields) in enumerate(tasks, start=1):
            TemplateTask.objects.create(template=template, order=order, title=title, department=department,
                                        acting_level=level, limit_days=days, working_days=True, fields=fields)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
