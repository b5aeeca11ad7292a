"""Reading and driving the classroom game's pages rendered in process (no browser)."""

from __future__ import annotations

import ipyvuetify as v
import ipywidgets
import solara

from viz.game.countdown import Countdown


def shown(context, widget_class: type) -> list:
    """The widgets of this class the page shows: every one in the page's tree, those inside another
    included (reacton's ``find`` stops at a match, so it misses a text inside a step's pane), except
    those inside an element hidden by its style (e.g. a player's step not shown)."""
    found: list = []
    seen: set[int] = set()
    queue: list = list(context.find(ipywidgets.Widget).widgets)
    while queue:
        value = queue.pop(0)
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, ipywidgets.Widget):
            if "display: none" in (getattr(value, "style_", None) or ""):
                continue
            if isinstance(value, widget_class):
                found.append(value)
            queue.extend(getattr(value, name) for name in value.keys)
        elif isinstance(value, list | tuple):
            queue.extend(value)
        elif isinstance(value, dict):
            queue.extend(value.values())
    return found


def texts(context, css_class: str) -> list[str]:
    """The texts of the elements shown with this CSS class (texts, and status lines drawn with a clock)."""
    return ["".join(map(str, w.children)) for w in shown(context, v.Html) if css_class in (w.class_ or "").split()] + [
        w.text for w in shown(context, Countdown) if css_class in w.text_class.split()
    ]


def blocks(context, css_class: str) -> list[str]:
    """The HTML of the blocks (``solara.HTML``) shown with this CSS class."""
    return [
        w.unsafe_innerHTML or ""
        for w in shown(context, solara.widgets.HTML)
        if css_class in (w.attributes or {}).get("class", "").split()
    ]


def cards(context, css_class: str) -> list:
    """The cards shown with this CSS class."""
    return [w for w in shown(context, v.Card) if css_class in (w.class_ or "").split()]


def alerts(context, css_class: str) -> list[str]:
    """The texts of the alerts (messages) shown with this CSS class."""
    return ["".join(map(str, a.children)) for a in shown(context, v.Alert) if css_class in (a.class_ or "").split()]


def click(context, label: str) -> None:
    """Click the enabled button shown with exactly this label."""
    found = [b for b in shown(context, v.Btn) if b.children == [label]]
    assert found, f"no button {label!r}"
    assert not found[0].disabled, f"{label!r} is disabled"
    found[0].click()


def field(context, widget_class, label: str):
    """The one input of this class shown with this label."""
    (found,) = [w for w in shown(context, widget_class) if w.label == label]
    return found


def render(component):
    """Render a page component; returns its render context (close it after)."""
    _, context = solara.render(component, handle_error=False)
    return context
