"""Every index constant of the model, in one place: goods, oxides, element groups, tracers,
stages and the month calendar.

Arrays are indexed ``[good, region]`` (goods in :data:`GOODS` order); concentrate carries its
element groups in :data:`ELEMENT_GROUPS` order; every pool of the ledger carries
:data:`TRACERS` tracer columns. No name here means two things: a good row is a plain name
(``NDPR``), an element column is prefixed (``ELEMENT_NDPR``), a tracer column is prefixed
(``CHINA_MINED``). This module imports nothing from marketsim.
"""

from __future__ import annotations

import re
from functools import cache

# ----------------------------------------------------------------- goods
GOODS: tuple[str, ...] = ("concentrate", "ndpr", "dytb", "lace", "magnet")
"""Traded goods, in the order used by every (good, region) array."""
CONCENTRATE, NDPR, DYTB, LACE, MAGNET = range(len(GOODS))
"""Row of each good in every (good, region) array."""
OXIDES: tuple[str, ...] = ("ndpr", "dytb", "lace")
"""The separated oxides, by name."""
OXIDE_ROWS = [LACE, NDPR, DYTB]
"""Good rows of the oxides in the order refiners return them (a list, for fancy indexing)."""
OXIDE_SPAN = slice(NDPR, LACE + 1)
"""The same rows in good order, as a slice (a view, not a copy: for row-by-row arithmetic)."""
REO_GOODS = [CONCENTRATE, NDPR, DYTB, LACE]
"""Good rows measured in tonnes of rare-earth oxide (all but magnets)."""
REO_ROWS = slice(CONCENTRATE, LACE + 1)
"""The rows of :data:`REO_GOODS` as a slice (a view, not a copy: for the month's totals)."""
MAGNET_ROWS = slice(MAGNET, MAGNET + 1)
"""The magnet row as a slice (a (1, regions) view)."""

# ----------------------------------------------------------------- element groups
ELEMENT_GROUPS: tuple[str, ...] = ("lace", "ndpr", "dytb", "other")
"""Element groups of a concentrate, in column order of every composition array."""
ELEMENT_LACE, ELEMENT_NDPR, ELEMENT_DYTB, ELEMENT_OTHER = range(len(ELEMENT_GROUPS))
"""Column of each element group in every (..., element group) array."""
ELEMENT_TO_GOOD = {"lace": LACE, "ndpr": NDPR, "dytb": DYTB}
"""Which good each recoverable element group becomes at separation."""

# ----------------------------------------------------------------- tracers of the ledger
CHINA_MINED, CHINA_SEPARATED, CHINA_MAGNETS = 0, 1, 2
"""Tracer columns: tonnes mined, separated and made into magnets in China."""
ELEMENTS = slice(3, 3 + len(ELEMENT_GROUPS))
"""Tracer columns holding the element-group tonnes of concentrate."""
TRACERS = 3 + len(ELEMENT_GROUPS)
"""Number of tracer columns of every pool."""

# ----------------------------------------------------------------- stages
STAGES: tuple[str, ...] = ("mining", "separation", "magnets")
"""Stages of the chain whose facilities are built from the scenario and its projects."""
POLICY_STAGES: tuple[str, ...] = (*STAGES, "recycling")
"""Stages policies (subsidies, standards) act on, in the order of every (stage, region) array."""
LEARNING_STAGES: tuple[str, ...] = ("separation", "magnets", "recycling")
"""Processing stages whose unit costs fall with experience (:mod:`marketsim.levers.learning`)."""

# ----------------------------------------------------------------- the month calendar
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def check_month(value: str) -> str:
    """Return a month written ``YYYY-MM`` (a day, ``YYYY-MM-DD``, is truncated to its month).

    Raises:
        ValueError: When ``value`` is not a month.
    """
    match = _MONTH.match(value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"expected a month written YYYY-MM (e.g. 2010-09), got {value!r}")
    return f"{match.group(1)}-{match.group(2)}"


@cache
def month_index(month: str) -> int:
    """Return a month as a count of months since year 0 (``"2010-09"`` -> 24129).

    Args:
        month: A month written ``YYYY-MM``.
    """
    year, mon = check_month(month).split("-")
    return int(year) * 12 + int(mon) - 1


def month_label(index: int) -> str:
    """Inverse of :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
