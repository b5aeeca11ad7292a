"""A decision clock that ticks in the browser.

The server sends the seconds left only when they change for a reason (a new round, a pause, an
extension); the page counts down on its own. A class of 30 pages then costs the server nothing
per second, where re-rendering each page every second or two kept a core busy.
"""

from __future__ import annotations

import anywidget
import traitlets

ESM = """
export default {
  render({ model, el }) {
    let deadline = null;
    const text = document.createElement("span");
    const clock = document.createElement("span");
    el.append(text, clock);
    const show = () => {
      text.textContent = model.get("text");
      text.className = model.get("text_class");
      clock.className = model.get("clock_class");
      const left = model.get("seconds_left");
      if (left === null || left === undefined) { clock.textContent = ""; return; }
      const seconds = model.get("running") ? Math.max(0, Math.ceil((deadline - performance.now()) / 1000))
                                           : Math.ceil(left);
      clock.textContent = model.get("prefix") + Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0")
                          + " left";
    };
    const restart = () => { deadline = performance.now() + 1000 * (model.get("seconds_left") || 0); show(); };
    restart();
    model.on("change:seconds_left", restart);
    model.on("change:running", restart);
    model.on("change:stamp", restart);
    model.on("change:text", show);
    const timer = setInterval(show, 250);
    return () => clearInterval(timer);
  },
};
"""


class Countdown(anywidget.AnyWidget):
    """``text``, then ``<prefix>m:ss left`` counting down in the browser while ``running`` (nothing
    when ``seconds_left`` is None: no time limit). A status line and its clock in one widget: a
    new round changes them with one message."""

    _esm = ESM
    text = traitlets.Unicode("").tag(sync=True)
    text_class = traitlets.Unicode("").tag(sync=True)
    """The CSS class of the text's part (e.g. ``player-status``)."""
    clock_class = traitlets.Unicode("").tag(sync=True)
    """The CSS class of the clock's part (e.g. ``player-clock``)."""
    seconds_left = traitlets.Float(None, allow_none=True).tag(sync=True)
    running = traitlets.Bool(False).tag(sync=True)
    prefix = traitlets.Unicode(" · ").tag(sync=True)
    stamp = traitlets.Int(0).tag(sync=True)
    """Changed with every status the server reads, so the same seconds left restarts the count."""
