"""The headline strip in large type, and the glossary of the words on the page."""

from __future__ import annotations

import html

import solara

from marketsim.reports.headline import Headline, Number
from viz.charts import GOOD_NAMES

GOOD = "#1e8449"
BAD = "#c0392b"
GLOSSARY = {
    "NdPr": "neodymium-praseodymium oxide, the light rare earths in permanent magnets.",
    "Dy/Tb": "dysprosium and terbium oxide, the heavy rare earths that keep magnets strong when hot.",
    "La/Ce": "lanthanum and cerium oxide, the bulk by-products (catalysts, polishing, glass).",
    "NdFeB": "neodymium-iron-boron permanent magnets (electric cars, wind turbines, electronics).",
    "Concentrate": "mixed rare-earth ore from a mine, before separation.",
    "t REO": "tonnes of rare-earth oxide: every good counted by its rare-earth content.",
    "Dependency on China": "the share of a region's end use whose rare earths were separated in China.",
    "Two tiers": "with exports restricted, buyers outside China pay more than buyers inside China.",
    "Twin": "the same run (scenario, seed, earlier changes) without the latest change, drawn dotted.",
    "pts": "percentage points: the difference between two percentages.",
}
ALLIANCES = {
    "msp": "Minerals Security Partnership (2022): importers that prefer each other's supply.",
    "friends": "the US-Australia critical-minerals framework (2025), friend-shoring supply.",
}


def _change(number: Number, unit: str, lower_is_better: bool = True) -> str:
    """The change against the twin, coloured green when better."""
    if number.change is None or abs(number.change) < 5e-4:
        return "<span class='hl-change'>= twin</span>" if number.change is not None else ""
    better = (number.change < 0) == lower_is_better
    if unit == "%":
        text = f"{100 * number.change:+.0f} %"
    elif unit == "pts":
        text = f"{100 * number.change:+.1f} pts"
    else:
        text = f"{number.change:+,.0f} {unit}"
    return f"<span class='hl-change' style='color:{GOOD if better else BAD}'>{text} vs twin</span>"


def _cell(label: str, value: str, change: str, css: str = "") -> str:
    return (
        f"<div class='hl-cell {css}'><div class='hl-label'>{html.escape(label)}</div>"
        f"<div class='hl-value'>{value}</div>{change}</div>"
    )


def headline_html(head: Headline, good: str, importers: int | None = None) -> str:
    """The strip as HTML: prices of ``good``, dependencies (of the first ``importers``, all when
    None), unmet need, public money spent from the start."""
    cells = [_cell("Outside China", f"US${head.outside.value:,.0f}/kg", _change(head.outside, "%"))]
    if head.china is not None:
        cells.append(_cell("Inside China", f"US${head.china.value:,.0f}/kg", _change(head.china, "%", False)))
        if head.china.value > 0:
            cells.append(_cell("Outside pays", f"{head.outside.value / head.china.value:,.1f}×", "", "hl-ratio"))
    for region, number in list(head.dependency.items())[:importers]:
        cells.append(_cell(f"{region} on China", f"{100 * number.value:.0f} %", _change(number, "pts"), "hl-dep"))
    cells.append(_cell("Need unmet", f"{100 * head.unmet.value:.1f} %", _change(head.unmet, "pts")))
    money = head.public_money
    cells.append(_cell("Public money", f"US${money.value / 1000:,.1f} bn", _change(money, "US$ m")))
    when = f"{GOOD_NAMES[good]} prices, dependency and unmet need: means over the 12 months to {head.date}"
    return f"<div class='headline-strip'><div class='hl-when'>{when}</div>{''.join(cells)}</div>"


@solara.component
def HeadlineStrip(head: Headline | None, good: str, importers: int | None = None):
    """The headline numbers, large enough for the back row."""
    if head is None:
        solara.HTML(tag="div", unsafe_innerHTML="<div class='headline-strip'>Press play to start.</div>")
        return
    solara.HTML(tag="div", unsafe_innerHTML=headline_html(head, good, importers), classes=["headline"])


@solara.component
def Glossary(alliances: tuple[str, ...]):
    """What the words and abbreviations on the page mean."""
    terms = dict(GLOSSARY)
    for name in alliances:
        terms[name] = ALLIANCES.get(name, "an alliance defined by the scenario: members prefer each other's supply.")
    rows = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in terms.items())
    solara.HTML(tag="dl", unsafe_innerHTML=rows, classes=["glossary"])
