"""A light Plotly widget: figures go to the browser as plain JSON and plotly.js draws them.

Plotly's own ``FigureWidget`` validates every figure in Python and sends its 5 MB JavaScript
bundle once per chart; with seven charts that made the page take 15 s to open and a frame
0.3 s to draw. This widget loads ``plotly.min.js`` (shipped inside the plotly package, served by
the dashboard's own server, so it works offline) once per page and calls ``Plotly.react``,
which redraws only what changed.
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

export default {
  async render({ model, el }) {
    const Plotly = await loadPlotly();
    const draw = () => {
      const layout = model.get("figure_layout");
      el.style.height = (layout.height || 300) + "px";  // the element has no height of its own
      return Plotly.react(el, model.get("traces"), layout, model.get("config"));
    };
    draw();
    // New traces and a new layout arrive together: draw once for both, on the next frame.
    let pending = false;
    const schedule = () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; draw(); });
    };
    model.on("change:traces", schedule);
    model.on("change:figure_layout", schedule);
    const resize = new ResizeObserver(() => Plotly.Plots.resize(el));
    resize.observe(el);
    return () => { resize.disconnect(); Plotly.purge(el); };
  },
};
"""
ESM = ESM.replace("__PLOTLY_URL__", PLOTLY_URL)


def jsonable(value):  # noqa: PLR0911 (one return per kind of value)
    """Numpy arrays as lists, with NaN and infinities as None (null: a gap in the line)."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            cells = value.astype(object)
            cells[~np.isfinite(value)] = None
            return cells.tolist()
        return value.tolist()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


class PlotlyChart(anywidget.AnyWidget):
    """A Plotly figure given as ``traces`` and ``figure_layout`` (Plotly's data and layout)."""

    _esm = ESM
    traces = traitlets.List().tag(sync=True)
    figure_layout = traitlets.Dict().tag(sync=True)
    """Not ``layout``: that name is the widget's own CSS layout in ipywidgets."""
    config = traitlets.Dict().tag(sync=True)
