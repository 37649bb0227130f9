"""Factories for the service network, for every app's tests."""

from __future__ import annotations

import factory

from regions.models import PREFIX_LENGTH, Level, Region


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "330482000000"
    name = factory.Sequence(lambda n: f"区划{n}")
    level = Level.CITY
    prefix = factory.LazyAttribute(lambda o: o.code[: PREFIX_LENGTH[o.level]])
    parent = None
