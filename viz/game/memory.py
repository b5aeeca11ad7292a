"""What this browser remembers across reloads: its device id, the player's seat and the
facilitator's console, kept in the browser's local storage by a tiny widget.

A reload, or a phone waking from sleep, opens a new Solara session: without this, the student is
back at an empty join form. The page reads the stored seat back and checks it with the engine (a
revoked or refused token is forgotten). Nothing here is trusted: a stored token works only if the
engine says it does, and the device id only counts wrong codes.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import anywidget
import ipywidgets
import solara
import traitlets

STORE_KEY = "marketsim-game"
ESM = """
export default {
  render({ model, el }) {
    const key = model.get("key");
    let stored = "";
    try { stored = window.localStorage.getItem(key) || ""; } catch (e) { stored = ""; }
    model.set("value", stored || "{}");
    model.set("loaded", true);
    model.save_changes();
    model.on("change:value", () => {
      try { window.localStorage.setItem(key, model.get("value") || "{}"); } catch (e) {}
    });
  },
};
"""


class BrowserStore(anywidget.AnyWidget):
    """A string the browser keeps in ``localStorage[key]``: read when the page opens (then
    ``loaded``), written whenever the server changes ``value``. Draws nothing."""

    _esm = ESM
    key = traitlets.Unicode(STORE_KEY).tag(sync=True)
    value = traitlets.Unicode("").tag(sync=True)
    loaded = traitlets.Bool(False).tag(sync=True)


memory: solara.Reactive[dict[str, Any] | None] = solara.reactive(None)
"""This session's view of the browser's memory (None until the browser has answered)."""


def _parse(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def remember(**parts: Any) -> None:
    """Store ``parts`` in the browser (a None value forgets that part)."""
    now = dict(memory.value or {})
    now.update(parts)
    memory.set({k: v for k, v in now.items() if v is not None})


def device_id() -> str | None:
    """The id this browser keeps (None before it has answered)."""
    return (memory.value or {}).get("device")


@solara.component
def Memory():
    """The hidden widget keeping :data:`memory` in the browser; gives the browser a device id."""

    def loaded(text: str) -> None:
        data = _parse(text)
        if not isinstance(data.get("device"), str):
            data["device"] = secrets.token_hex(8)
        if data != memory.value:
            memory.set(data)

    value = json.dumps(memory.value) if memory.value is not None else ""
    # One hidden layout for the page's life: a new one at every redraw would be a new widget.
    hidden = solara.use_memo(lambda: ipywidgets.Layout(display="none"), [])
    BrowserStore.element(key=STORE_KEY, value=value, on_value=loaded, layout=hidden)
