"""Each calibration target's definition in words, for docs/validation.md, and the outside-China price
that the price patterns share (configs/targets/history_2010.toml defines both; nothing here adds to it)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from marketsim.calibration.targets import SeriesSpec, Target


def regions_text(spec: SeriesSpec) -> str:
    """How a series combines its regions, in words: ``weighted mean of japan (18), usa (8.5), eu (8.5)``."""
    if spec.combine == "weighted":
        weights = ", ".join(f"{r} ({w:g})" for r, w in zip(spec.regions, spec.weights or [], strict=True))
        return f"weighted mean of {weights}"
    joined = ", ".join(spec.regions)
    return f"{spec.combine} of {joined}" if len(spec.regions) > 1 else joined


def series_text(terms: list[SeriesSpec]) -> str:
    """A series in words: ``price of ndpr in weighted mean of japan (18), usa (8.5), eu (8.5)``; a signed sum
    of several terms joins them with + and -."""
    parts = []
    for k, spec in enumerate(terms):
        sign = ("- " if spec.sign < 0 else "+ ") if k else ("-" if spec.sign < 0 else "")
        parts.append(f"{sign}{spec.metric} of {'+'.join(spec.goods)} in {regions_text(spec)}")
    return " ".join(parts)


def _span(window: tuple[str, str] | None) -> str:
    if window is None:
        return "?"
    return window[0] if window[0] == window[1] else f"{window[0]}..{window[1]}"


def describe(target: Target) -> str:
    """The target's statistic in words, with its series and windows, e.g.
    ``mean over 2011-12 / max over 2010-07..2011-12 of S``."""
    s, w = f"S = {series_text(target.series)}", _span(target.window)
    versus = f"V = {series_text(target.versus)}" if target.versus else ""
    kind = target.statistic
    if kind == "peak_ratio":
        return f"max of S over {w} / mean of S over {_span(target.base_window)}; {s}"
    if kind == "peak_delay":
        return f"months from {target.reference} to the month of max S over {w}; {s}"
    if kind == "share_of_peak":
        return f"mean of S over {w} / max of S over {_span(target.peak_window)}; {s}"
    if kind in ("ratio", "gap"):
        operation = "/" if kind == "ratio" else "-"
        return f"mean of S {operation} mean of V over {w}; {s}; {versus}"
    if kind == "total_share":
        return f"sum of S over {w} / {target.denominator or 0:g}; {s}"
    return f"mean of S over {w}; {s}"


def outside_china_price(targets: list[Target]) -> SeriesSpec | None:
    """The price series the target file uses for "outside China": the most common price term whose
    regions are not China alone (None if the targets read no price outside China)."""
    terms = [
        term
        for target in targets
        for term in [*target.series, *(target.versus or [])]
        if term.metric == "price" and term.regions != ["china"]
    ]
    if not terms:
        return None
    key = Counter((tuple(t.regions), t.combine, tuple(t.weights or ())) for t in terms).most_common(1)[0][0]
    return next(t for t in terms if (tuple(t.regions), t.combine, tuple(t.weights or ())) == key)
