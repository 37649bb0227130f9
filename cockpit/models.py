"""The cockpit's pre-aggregated tables: what its pages and API read instead of the registers.

A ``Cell`` is one indicator's figures (its measures, ``m0`` … ``m7`` in the order it declares them: counts,
sums of money) for one region, one period and one value of one dimension. Two kinds of cell:

- the subtree's (``own=False``): the records registered in the region or anywhere under it. These are what a
  page reads. A region with no areas under it (a grid, a village without grids) has only these, counted from
  the register; any other region's are the sum of its own cells and its children's subtree cells, summed level
  by level, grid to province;
- ``own``: of a region that has areas under it, the records registered at that very code (a town's own
  records, not its villages': an older record placed at the town only). Few.

``parent_code`` makes the sum one lookup: an own cell's is its own region, a subtree cell's is its parent, so
the subtree cells of ``X`` are the sum of every cell whose ``parent_code`` is ``X``, and ``X``'s children are
the subtree cells whose ``parent_code`` is ``X``.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

#: the most measures one indicator may declare (the cell's columns m0 … m7)
MEASURES = 8


def _measure() -> models.DecimalField:
    return models.DecimalField(max_digits=20, decimal_places=2, default=0)


class Cell(models.Model):
    indicator = models.CharField(max_length=60)
    #: "" for a figure of now; "2026" a year, "2026-03" a month, "2026Q1" a quarter
    period = models.CharField(max_length=7, blank=True)
    #: "" for the indicator's total; else the dimension it is broken down by ("category")
    dim = models.CharField(max_length=30, blank=True)
    #: the dimension's value ("" with dim "")
    key = models.CharField(max_length=60, blank=True)
    region_code = models.CharField(max_length=15)
    parent_code = models.CharField(max_length=15, blank=True)
    own = models.BooleanField(default=False)
    m0 = _measure()
    m1 = _measure()
    m2 = _measure()
    m3 = _measure()
    m4 = _measure()
    m5 = _measure()
    m6 = _measure()
    m7 = _measure()

    class Meta:
        indexes = [
            # a region's figures (a page, the API) and its children's (a drill-down)
            models.Index(fields=["region_code", "period", "indicator"], name="cockpit_cell_region",
                         condition=Q(own=False)),
            models.Index(fields=["parent_code", "indicator", "period"], name="cockpit_cell_parent"),
            # the refresh's: one indicator's own cells at some regions
            models.Index(fields=["indicator", "region_code"], name="cockpit_cell_own", condition=Q(own=True)),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.indicator} {self.region_code} {self.period} {self.dim}={self.key}"

    def values(self) -> list[Decimal]:
        return [getattr(self, f"m{n}") for n in range(MEASURES)]


class Dirty(models.Model):
    """A region whose own cells of an indicator are out of date: written after an event's commit, taken by the
    refresh. Never unique: a change that comes while the refresh works adds a row of its own, which that
    refresh does not take (it deletes only the rows it read)."""

    indicator = models.CharField(max_length=60)
    region_code = models.CharField(max_length=15)
    marked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.indicator} {self.region_code}"


class Built(models.Model):
    """When each indicator's cells were last made whole (``as_of``): a full build, then each refresh."""

    indicator = models.CharField(max_length=60, unique=True)
    as_of = models.DateTimeField()
    #: when the last full build of it ran (a figure of "now" that depends on the day, an age band, is rebuilt
    #: once a day)
    built_at = models.DateTimeField()
    #: the seconds the last full build of it took
    seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"{self.indicator} as of {self.as_of}"
