"""Reading and driving the classroom game's pages rendered in process (no browser)."""

from __future__ import annotations

import ipyvuetify as v
import ipywidgets
import solara

from viz.game.countdown import Countdown


def hidden(context) -> set[int]:
    """The ids of the widgets inside an element hidden by its style (e.g. a player's step not shown)."""
    found: set[int] = set()

    def inside(widget) -> None:
        found.add(id(widget))
        for child in getattr(widget, "children", None) or []:
            if isinstance(child, ipywidgets.Widget):
                inside(child)

    for element in context.find(v.Html).widgets:
        if "display: none" in (element.style_ or ""):
            inside(element)
    return found


def texts(context, css_class: str) -> list[str]:
    """The texts of the elements shown with this CSS class (texts, and status lines drawn with a clock)."""
    out = hidden(context)
    return [
        "".join(map(str, w.children))
        for w in context.find(v.Html).widgets
        if css_class in (w.class_ or "").split() and id(w) not in out
    ] + [w.text for w in context.find(Countdown).widgets if css_class in w.text_class.split() and id(w) not in out]


def blocks(context, css_class: str) -> list[str]:
    """The HTML of the blocks (``solara.HTML``) shown with this CSS class."""
    out = hidden(context)
    return [
        w.unsafe_innerHTML or ""
        for w in context.find(solara.widgets.HTML).widgets
        if css_class in (w.attributes or {}).get("class", "").split() and id(w) not in out
    ]


def cards(context, css_class: str) -> list:
    """The cards shown with this CSS class."""
    out = hidden(context)
    return [w for w in context.find(v.Card).widgets if css_class in (w.class_ or "").split() and id(w) not in out]


def alerts(context, css_class: str) -> list[str]:
    """The texts of the alerts (messages) with this CSS class."""
    return [
        "".join(map(str, a.children)) for a in context.find(v.Alert).widgets if css_class in (a.class_ or "").split()
    ]


def click(context, label: str) -> None:
    """Click the enabled button with exactly this label."""
    found = [b for b in context.find(v.Btn).widgets if b.children == [label]]
    assert found, f"no button {label!r}"
    assert not found[0].disabled, f"{label!r} is disabled"
    found[0].click()


def field(context, widget_class, label: str):
    """The one input of this class with this label."""
    (found,) = [w for w in context.find(widget_class).widgets if w.label == label]
    return found


def render(component):
    """Render a page component; returns its render context (close it after)."""
    _, context = solara.render(component, handle_error=False)
    return context
