"""The cockpit's pre-aggregated tables: what its pages and API read instead of the registers.

A ``Cell`` is one figure: an indicator's measure (a count, a sum of money) for one region, one period and one
value of one dimension. Two kinds of cell:

- ``own``: counted from the register over the records registered at that very region code (a town's own
  records, not its villages'); the refresh recomputes them for the regions the events name;
- the subtree's (``own=False``): the region's own cells plus its children's subtree cells, summed by the
  refresh level by level, grid to province. These are what a page reads.

``parent_code`` makes both sums one lookup: an own cell's is its own region, a subtree cell's is its parent, so
the subtree cells of ``X`` are the sum of every cell whose ``parent_code`` is ``X``, and ``X``'s children are
the subtree cells whose ``parent_code`` is ``X``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Cell(models.Model):
    indicator = models.CharField(max_length=60)
    measure = models.CharField(max_length=30)
    #: "" for a figure of now; "2026" a year, "2026-03" a month, "2026Q1" a quarter
    period = models.CharField(max_length=7, blank=True)
    #: "" for the indicator's total; else the dimension it is broken down by ("category")
    dim = models.CharField(max_length=30, blank=True)
    #: the dimension's value ("" with dim "")
    key = models.CharField(max_length=60, blank=True)
    region_code = models.CharField(max_length=15)
    parent_code = models.CharField(max_length=15, blank=True)
    own = models.BooleanField(default=False)
    value = models.DecimalField(max_digits=20, decimal_places=2)

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
        return f"{self.indicator}.{self.measure} {self.region_code} {self.period} {self.dim}={self.key}"


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
