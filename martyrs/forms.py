"""The forms of the martyrs' pages: they take what the user typed; ``martyrs.services`` decides (dates, scope, who
may be responsible) and its refusals land on these fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, OnceForm, money_field
from martyrs.models import Condition, MemorialKind, ProtectionLevel
from veterans import choices as vc
from veterans.pickers import person_field

DATE_HELP = _("A year, a year and month, or a date: 1944, 1944-05 or 1944-05-17. Leave it blank when unknown.")


def _regions(user: Any) -> list[tuple[str, str]]:
    from regions.models import Level, Region

    qs = Region.objects.visible_to(user).filter(level__in=[Level.CITY, Level.TOWN, Level.VILLAGE]).order_by("code")
    return [(r.code, r.name) for r in qs[:2000]]


class MartyrForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=[("", _("Unknown")), *vc.choices(vc.GENDERS)])
    born = forms.CharField(label=_("Born"), required=False, max_length=10, help_text=DATE_HELP)
    sacrificed = forms.CharField(label=_("Sacrificed"), required=False, max_length=10, help_text=DATE_HELP)
    native_place = forms.CharField(label=_("Native place"), required=False, max_length=100)
    region = forms.ChoiceField(label=_("Registered in"), help_text=_("The town or village of the native place; the "
                                                                     "city when no more is known."))  # fmt: skip
    unit = forms.CharField(label=_("Unit (部队/单位)"), required=False, max_length=200)
    place_of_sacrifice = forms.CharField(label=_("Place of sacrifice"), required=False, max_length=200)
    deeds = forms.CharField(label=_("Deeds (事迹)"), required=False, max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 6}))  # fmt: skip
    memorial = forms.TypedChoiceField(label=_("Memorial facility"), required=False, coerce=int, empty_value=None)
    burial_place = forms.CharField(label=_("Burial place"), required=False, max_length=200)

    def __init__(self, *args: Any, user: Any, memorials: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _regions(user)  # type: ignore[attr-defined]
        self.fields["memorial"].choices = [("", "—"), *((m.pk, m.name) for m in memorials)]  # type: ignore[attr-defined]


class FamilyLinkForm(forms.Form):
    veteran = person_field(_("Person"), help_text=_("A person of the registry recorded as 烈士遗属: name, pinyin or "
                                                    "the last digits of the ID number."))  # fmt: skip
    relation = forms.ChoiceField(label=_("Relation to the martyr"), choices=[("", "—"), *vc.choices(vc.RELATIONS)])


class RecordForm(OnceForm):
    living = forms.CharField(label=_("Living situation (生活状况)"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    schooling = forms.CharField(label=_("Schooling (就学)"), required=False, max_length=500,
                                widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    employment = forms.CharField(label=_("Employment (就业)"), required=False, max_length=500,
                                 widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    benefits = forms.CharField(label=_("Benefits in place (待遇落实)"), required=False, max_length=500,
                               widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    note = forms.CharField(label=_("Notes"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ResponsibleForm(forms.Form):
    responsible = forms.ChoiceField(label=_("Responsible person (专人对接)"), required=False)

    def __init__(self, *args: Any, users: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = [  # type: ignore[attr-defined]
            ("", _("Nobody yet")), *((str(u.pk), f"{u.get_full_name() or u.username} · {u.scope_region.name}")
                                    for u in users),
        ]  # fmt: skip


class MemorialForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind of facility"), choices=MemorialKind.choices)
    region = forms.ChoiceField(label=_("Region"))
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    protection_level = forms.ChoiceField(label=_("Protection level"), choices=ProtectionLevel.choices,
                                         initial=ProtectionLevel.NONE)  # fmt: skip
    condition = forms.ChoiceField(label=_("Condition"), choices=Condition.choices)
    note = forms.CharField(label=_("Notes"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _regions(user)  # type: ignore[attr-defined]


class UpkeepForm(OnceForm):
    done_on = forms.DateField(label=_("Date"), widget=DateInput())
    work = forms.CharField(label=_("What was done"), max_length=500, help_text=_("For example 碑体清洗、绿化修剪."))
    cost = money_field(_("Cost (yuan)"))
    done_by = forms.CharField(label=_("Done by"), max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("done_on", timezone.localdate())


class RemembranceForm(OnceForm):
    visited_on = forms.DateField(label=_("Date"), widget=DateInput())
    group = forms.CharField(label=_("Group or organisation"), max_length=100,
                            help_text=_("For example 当湖街道中心小学 清明祭扫."))  # fmt: skip
    people = forms.IntegerField(label=_("Number of people"), min_value=1, max_value=100_000)
    note = forms.CharField(label=_("Notes"), required=False, max_length=1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("visited_on", timezone.localdate())


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
