"""Where the dashboard server's time goes after a policy change, measured in this process (no browser).

:func:`server_parts` times the session's steps one after the other as the server does them;
:func:`click_parts` renders the page in this process, clicks 'Apply tariff' and splits the click's
time into exclusive parts (a part called inside another counts only for itself) by wrapping the
functions that do them. Used by ``bench_app.py``.
"""

from __future__ import annotations

import collections
import functools
import itertools
import statistics
import threading
import time

PARTS = {
    ("marketsim.model", "RareEarthModel", "step"): "model: the months simulated",
    ("marketsim.whatif", None, "restore_snapshot"): "model: restoring a snapshot",
    ("marketsim.whatif", None, "take_snapshot"): "model: taking snapshots",
    ("viz.dashboard.session", "Dashboard", "decide"): "model: validating, applying the change",
    ("marketsim.reports.views", "RunReader", "__init__"): "derive: reading a run (its metrics)",
    ("marketsim.reports.views", "RunReader", "view"): "derive: views (scorecard, flows)",
    ("viz.dashboard.app", None, "headline"): "derive: the headline",
    ("viz.dashboard.app", None, "importers"): "derive: the headline",
    ("viz.dashboard.app", None, "_drawings"): "figures: building them",
    ("viz.dashboard.components", None, "jsonable"): "figures: to JSON",
    ("viz.dashboard.components", None, "share_dates"): "figures: to JSON",
    ("viz.dashboard.components", None, "scorecard_table"): "tables: the scorecard's HTML",
}
"""(module, class or None, function) -> the part of a click it does."""
RENDER = "the page's render (Solara: components, widgets, their updates)"
"""What is left of a click: rendering the page and updating its widgets."""


class PartTimer:
    """Exclusive wall and CPU seconds of the wrapped functions in one thread."""

    def __init__(self) -> None:
        self.spent: collections.Counter = collections.Counter()
        self.stack: list[list] = []
        self.thread = threading.get_ident()

    def clocks(self) -> tuple[float, float]:
        return time.perf_counter(), time.thread_time()

    def enter(self, name: str) -> None:
        now = self.clocks()
        if self.stack:
            self._charge(now)
        self.stack.append([name, now])

    def leave(self) -> None:
        now = self.clocks()
        self._charge(now)
        self.stack.pop()
        if self.stack:
            self.stack[-1][1] = now

    def _charge(self, now: tuple[float, float]) -> None:
        name, since = self.stack[-1]
        self.spent[(name, "wall")] += now[0] - since[0]
        self.spent[(name, "cpu")] += now[1] - since[1]

    def wrap(self, name: str, function):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            if threading.get_ident() != self.thread:  # the rest of a run, simulated in another thread
                return function(*args, **kwargs)
            self.enter(name)
            try:
                return function(*args, **kwargs)
            finally:
                self.leave()

        return timed


def server_parts(tick: int, repeats: int) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds of each part of a change, in this process (as the server does it)."""
    from marketsim.governance import decisions  # noqa: PLC0415
    from marketsim.reports.headline import headline  # noqa: PLC0415
    from viz.dashboard.app import _drawings  # noqa: PLC0415
    from viz.dashboard.components import DIGITS  # noqa: PLC0415
    from viz.dashboard.session import Dashboard  # noqa: PLC0415
    from viz.plotly_chart import jsonable  # noqa: PLC0415

    dash = Dashboard.start()
    dash.headline_until = 48  # as the page sets it for its default headline year, the fourth
    names = ("model, first years", "derive", "charts", "to JSON", "model, the rest")
    parts: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for k in range(repeats + 1):
        marks = [(time.perf_counter(), time.process_time())]
        dash.decide("usa", decisions.tariff("usa", "2024-01", 0.25 + 0.01 * k), tick)
        marks.append((time.perf_counter(), time.process_time()))
        view = dash.view()
        headline(view, dash.reference(view.ticks), "ndpr")
        dash.whole(), dash.reference()
        marks.append((time.perf_counter(), time.process_time()))
        drawings = _drawings(dash, view, (k,), "ndpr", "usa", False)
        marks.append((time.perf_counter(), time.process_time()))
        for drawing in drawings.values():
            jsonable(drawing.figure, DIGITS)
        marks.append((time.perf_counter(), time.process_time()))
        while dash.simulate(12):
            pass
        marks.append((time.perf_counter(), time.process_time()))
        if k:
            for name, (before, after) in zip(names, itertools.pairwise(marks), strict=True):
                parts[name].append((after[0] - before[0], after[1] - before[1]))
    return {
        name: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
        for name, values in parts.items()
    }


def _patched(timer: PartTimer) -> list[tuple[object, str, object]]:
    """Wrap every function of :data:`PARTS`; returns what to put back."""
    import importlib  # noqa: PLC0415

    undo = []
    for (module, owner, name), part in PARTS.items():
        holder = importlib.import_module(module)
        holder = getattr(holder, owner) if owner else holder
        undo.append((holder, name, getattr(holder, name)))
        setattr(holder, name, timer.wrap(part, getattr(holder, name)))
    return undo


def click_parts(tick: int, repeats: int) -> dict[str, tuple[float, float, float]]:
    """Median wall seconds, best wall seconds and median CPU seconds of each part of a click on
    'Apply tariff' (a change starting in month ``tick``, each at another rate) in a page rendered
    in this process; the rest of the run is simulated in another thread, waited for between clicks."""
    import ipyvuetify as v  # noqa: PLC0415
    import solara  # noqa: PLC0415

    from viz.dashboard import session  # noqa: PLC0415
    from viz.dashboard.app import Page  # noqa: PLC0415

    timer = PartTimer()
    made: list = []
    started = session.Dashboard.start

    def start(*args, **kwargs):
        made.append(started(*args, **kwargs))
        return made[-1]

    session.Dashboard.start = start
    undo = _patched(timer)
    clicks = []
    try:
        _, context = solara.render(Page(), handle_error=False)
        sliders = {str(w.label): w for w in context.find(v.Slider).widgets}
        next(w for label, w in sliders.items() if label.startswith("Starts in")).v_model = tick
        [region] = [w for w in context.find(v.Select).widgets if w.label == "Government"]
        region.v_model = "usa"
        [apply] = [b for b in context.find(v.Btn).widgets if b.children == ["Apply tariff"]]
        [rate] = [w for w in context.find(v.Slider).widgets if w.v_model == 25]
        for k in range(repeats + 1):
            rate.v_model = 26 + k
            timer.spent.clear()
            timer.enter(RENDER)
            apply.click()
            timer.leave()
            clicks.append(dict(timer.spent))
            while made[-1].pending:
                time.sleep(0.05)
            time.sleep(0.5)  # the page's render with the whole run, in the thread that simulated it
        context.close()
    finally:
        session.Dashboard.start = started
        for holder, name, function in undo:
            setattr(holder, name, function)
    clicks = clicks[1:]  # the first is a warm-up
    names = list(dict.fromkeys([*PARTS.values(), RENDER]))
    parts = {}
    for name in [*names, "a click in all"]:
        if name == "a click in all":
            walls = [sum(v for (_, kind), v in c.items() if kind == "wall") for c in clicks]
            cpus = [sum(v for (_, kind), v in c.items() if kind == "cpu") for c in clicks]
        else:
            walls = [c.get((name, "wall"), 0.0) for c in clicks]
            cpus = [c.get((name, "cpu"), 0.0) for c in clicks]
        parts[name] = (statistics.median(walls), min(walls), statistics.median(cpus))
    return parts
