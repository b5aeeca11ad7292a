"""A light Plotly widget: figures go to the browser as plain JSON and plotly.js draws them.

Plotly's own ``FigureWidget`` validates every figure in Python and sends its 5 MB JavaScript
bundle once per chart; with seven charts that made the page take 15 s to open and a frame
0.3 s to draw. This widget loads ``plotly.min.js`` (shipped inside the plotly package, served by
the dashboard's own server, so it works offline) once per page and calls ``Plotly.react``,
which redraws only what changed.

While the dashboard plays a run, the figures stay the same (the whole run and its twin, sent once
per change) and only ``until`` moves: the browser cuts the traces marked ``meta: "run"`` and the
events on the time axis at that month, so a frame sends a few bytes, not every point again. The
twin's traces (``meta: "twin"``) go in a trait of their own, sent only when they change (not when
the rest of a run arrives after its first years). Charts on screen are drawn before the others,
and the browser tells the server which charts are on screen (``seen``) and when it has drawn the
first years of a run (``drawn``).
"""

from __future__ import annotations

import anywidget
import numpy as np
import traitlets
from solara.server import settings

from marketsim.webserver import PLOTLY_DIR, PLOTLY_URL

if str(PLOTLY_DIR) not in settings.assets.extra_locations:
    settings.assets.extra_locations.append(str(PLOTLY_DIR))  # served at PLOTLY_URL

ESM = """
function loadPlotly() {
  if (!window.marketsimPlotly) {
    const url = new URL("__PLOTLY_URL__", document.baseURI);
    window.marketsimPlotly = fetch(url).then((response) => {
      if (!response.ok) throw new Error("could not load plotly.js: " + response.status);
      return response.text();
    }).then((source) => {
      // plotly.min.js is a UMD bundle: given a CommonJS-style module, it exports the library.
      const module = { exports: {} };
      new Function("module", "exports", source)(module, module.exports);
      return module.exports;
    });
  }
  return window.marketsimPlotly;
}

// A month "YYYY-MM" as plotly's time of a date axis: milliseconds, UTC.
const monthTime = (month) => Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1, 1);

// Traces whose x is "@dates" share the widget's dates (sent once, not once per trace), given to
// plotly as times (``times``: the dates read once, not once per point of every trace by plotly);
// "@dates:n" stands for the first n of them (a run simulated so far).
function withDates(traces, times) {
  return traces.map((trace) => {
    if (typeof trace.x !== "string" || !trace.x.startsWith("@dates")) return trace;
    const [, n] = trace.x.split(":");
    return { ...trace, x: n === undefined ? times : times.slice(0, Number(n)) };
  });
}

// Months are "YYYY-MM" strings, so they compare as text; shared dates are times. until "" shows everything.
function cutTraces(traces, until) {
  if (!until) return traces;
  const untilTime = monthTime(until);
  return traces.map((trace) => {
    if (trace.meta !== "run" || !trace.x) return trace;
    const last = typeof trace.x[0] === "number" ? untilTime : until;
    let n = trace.x.length;
    while (n > 0 && trace.x[n - 1] > last) n--;
    return { ...trace, x: trace.x.slice(0, n), y: trace.y.slice(0, n) };
  });
}

function cutLayout(layout, until) {
  if (!until) return layout;
  const early = (item) => item.xref !== "x" || String(item.x0 ?? item.x) <= until;
  return {
    ...layout,
    shapes: (layout.shapes || []).filter(early),
    annotations: (layout.annotations || []).filter(early),
  };
}

// One queue for every chart of the page: charts on screen are drawn first, all in one frame,
// then those off screen one per frame, so the browser shows what is in view before it draws the
// rest. A chart asked to draw again before its turn is drawn once, with its latest data. A chart
// off screen does not draw the first years of a run ("partial"): it waits for the whole run, or
// until it is scrolled into view.
function drawQueue() {
  if (!window.marketsimQueue) {
    const queue = { pending: new Map(), onScreen: new WeakSet(), scheduled: false };
    queue.schedule = () => {
      if (queue.scheduled || !queue.pending.size) return;
      queue.scheduled = true;
      requestAnimationFrame(() => {
        queue.scheduled = false;
        const pending = [...queue.pending.keys()];
        const inView = pending.filter((el) => queue.onScreen.has(el));
        // Off screen, the first years of a run are not drawn: the whole run follows soon.
        const later = pending.filter((el) => !queue.onScreen.has(el) && !queue.pending.get(el).partial());
        for (const el of inView.length ? inView : later.slice(0, 1)) {
          const { draw } = queue.pending.get(el);
          queue.pending.delete(el);
          draw();
        }
        if (inView.length || later.length > 1) queue.schedule();
      });
    };
    queue.models = new WeakMap();
    queue.seen = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) queue.onScreen.add(entry.target);
        else queue.onScreen.delete(entry.target);
        const model = queue.models.get(entry.target);  // the server is told, see PlotlyChart.seen
        if (model && model.get("seen") !== entry.isIntersecting) {
          model.set("seen", entry.isIntersecting);
          model.save_changes();
        }
      }
      queue.schedule();
    });
    window.marketsimQueue = queue;
  }
  return window.marketsimQueue;
}

export default {
  async render({ model, el }) {
    const Plotly = await loadPlotly();
    const queue = drawQueue();
    let dates = null, times = [];
    const draw = () => {
      const layout = model.get("figure_layout");
      const until = model.get("until");
      el.style.height = (layout.height || 300) + "px";  // the element has no height of its own
      if (model.get("dates") !== dates) {
        dates = model.get("dates");
        times = dates.map(monthTime);
      }
      const all = [...model.get("traces"), ...model.get("twin")];
      const traces = cutTraces(withDates(all, times), until);
      const done = Plotly.react(el, traces, cutLayout(layout, until), model.get("config"));
      if (model.get("partial")) {
        // the server simulates the rest of the run once the charts in view have drawn its first years
        Promise.resolve(done).then(() => {
          model.set("drawn", model.get("drawn") + 1);
          model.save_changes();
        });
      }
      return done;
    };
    draw();
    queue.models.set(el, model);
    queue.seen.observe(el);
    // New traces and a new layout arrive together: drawn once for both, in the queue's order.
    const schedule = () => {
      queue.pending.set(el, { draw, partial: () => model.get("partial") });
      queue.schedule();
    };
    for (const name of ["traces", "twin", "figure_layout", "until", "dates", "partial"]) {
      model.on("change:" + name, schedule);
    }
    const resize = new ResizeObserver(() => Plotly.Plots.resize(el));
    resize.observe(el);
    return () => {
      resize.disconnect();
      queue.seen.unobserve(el);
      queue.pending.delete(el);
      Plotly.purge(el);
    };
  },
};
"""
ESM = ESM.replace("__PLOTLY_URL__", PLOTLY_URL)


def _rounded(values: np.ndarray, digits: int | None) -> np.ndarray:
    """Each float to ``digits`` significant digits (all digits when None): a chart needs no
    17-digit numbers, and their text was half of what went to the browser. Each value is rounded
    on its own, so equal values stay equal (a run and its twin before the change)."""
    if digits is None:
        return values
    size = np.abs(values)
    usable = np.isfinite(values) & (size > 0)
    if not usable.any():
        return values
    exponent = np.zeros(values.shape)
    exponent[usable] = digits - 1 - np.floor(np.log10(size[usable]))
    up, down = 10.0 ** np.maximum(exponent, 0), 10.0 ** np.maximum(-exponent, 0)
    with np.errstate(invalid="ignore", over="ignore"):
        rounded = np.round(values * up / down) / up * down
    return np.where(usable & np.isfinite(rounded), rounded, values)


def jsonable(value, digits: int | None = None):  # noqa: PLR0911 (one return per kind of value)
    """Numpy arrays as lists, with NaN and infinities as None (null: a gap in the line).

    Args:
        value: A figure, or any part of one.
        digits: Round every float to this many significant digits (None: keep every digit).
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            finite = np.isfinite(value)
            if finite.all():
                return _rounded(value, digits).tolist()
            cells = _rounded(value, digits).astype(object)
            cells[~finite] = None
            return cells.tolist()
        return value.tolist()
    if isinstance(value, dict):
        return {k: jsonable(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if all(type(v) is str for v in value):  # months: a line's x, hundreds of them
            return list(value)
        return [jsonable(v, digits) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


SHARED_X = "@dates"
"""A trace's ``x`` standing for the widget's ``dates``."""


def share_dates(traces: list[dict]) -> tuple[list, list[dict]]:
    """The longest ``x`` of text (the months of a time chart) of the traces, and the traces with every
    ``x`` equal to it replaced by :data:`SHARED_X` (and every ``x`` equal to its first ``n`` by
    ``SHARED_X:n``): the months go to the browser once, not once per line (they were more than
    half of what a change sent)."""
    longest = max((t["x"] for t in traces if isinstance(t.get("x"), list)), key=len, default=[])
    if len(longest) < 2 or not isinstance(longest[0], str):
        return [], traces
    return longest, [{**t, "x": _shared(t["x"], longest)} if "x" in t else t for t in traces]


def split_twin(traces: list[dict]) -> tuple[list[dict], list[dict]]:
    """The traces of a figure without the twin's, and the twin's (``meta: "twin"``), each in order."""
    return [t for t in traces if t.get("meta") != "twin"], [t for t in traces if t.get("meta") == "twin"]


def _shared(x, dates: list[str]):
    """A trace's ``x`` as :data:`SHARED_X` if it is ``dates`` or their start, else as it is."""
    if x == dates:
        return SHARED_X
    if isinstance(x, list) and 1 < len(x) < len(dates) and x == dates[: len(x)]:
        return f"{SHARED_X}:{len(x)}"
    return x


class PlotlyChart(anywidget.AnyWidget):
    """A Plotly figure given as ``traces`` and ``figure_layout`` (Plotly's data and layout)."""

    _esm = ESM
    traces = traitlets.List().tag(sync=True)
    """This run's traces, and any other but the twin's."""
    twin = traitlets.List().tag(sync=True)
    """The twin's traces (``meta: "twin"``), drawn after :attr:`traces`: kept apart so that a
    change that leaves the twin as it was does not send its lines again."""
    figure_layout = traitlets.Dict().tag(sync=True)
    """Not ``layout``: that name is the widget's own CSS layout in ipywidgets."""
    config = traitlets.Dict().tag(sync=True)
    dates = traitlets.List().tag(sync=True)
    """The x of every trace whose ``x`` is :data:`SHARED_X`."""
    partial = traitlets.Bool(False).tag(sync=True)
    """The figure shows the first years of a run whose rest follows: off screen, it is not drawn
    (the whole run is, when it arrives)."""
    seen = traitlets.Bool(True).tag(sync=True)
    """Whether the chart is in the browser's window, as the browser last said (it tells when the
    page scrolls): a chart out of view is not sent the first years of a run, only the whole run."""
    drawn = traitlets.Int(0).tag(sync=True)
    """Counted up by the browser each time it has drawn a :attr:`partial` figure (the first years
    of a run): the server simulates the rest once the charts in view have drawn them, so that the
    browser does not draw them while the server computes."""
    until = traitlets.Unicode("").tag(sync=True)
    """The last month shown (``YYYY-MM``) of traces marked ``meta: "run"`` and of events on the
    time axis; empty: everything."""
