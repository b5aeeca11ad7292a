"""A number field that never crashes a page: whatever is typed (``nan``, ``inf``, nothing, words)
the field says what is wrong and hands on None; a finite number goes on to the lever, and the
engine's one validation route judges whether it is plausible (a price floor of 1e300 is refused there).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import solara


def parse_number(text: str) -> tuple[float | None, str | None]:
    """A typed number, or None and why not (commas and spaces allowed as thousands separators)."""
    cleaned = str(text).strip().replace(",", "").replace(" ", "").replace("_", "")
    if not cleaned:
        return None, "Type a number."
    try:
        value = float(cleaned)
    except ValueError:
        return None, "Type a number, e.g. 500."
    if not math.isfinite(value):
        return None, "Type an ordinary number (not nan or infinity)."
    return value, None


@solara.component
def NumberField(label: str, value: float, on_value: Callable[[float], None]):
    """A text field for a number: ``on_value`` gets each finite number typed; while the text is not
    one, the field says so and the last number (``value``) stays in force."""
    text, set_text = solara.use_state(f"{value:g}")
    _, error = parse_number(text)

    def typed(new: str) -> None:
        set_text(new)
        number, _ = parse_number(new)
        if number is not None:
            on_value(number)

    solara.InputText(
        label,
        value=text,
        on_value=typed,
        continuous_update=True,
        error=f"{error} Until then: {value:g}." if error else False,
        classes=["number-field"],
    )


PRESSED = {"depressed": True, "outlined": False, "color": "primary"}
"""The look of a chosen button in a row of choices (:func:`ChoiceButtons`, the phone's step buttons)."""
RELEASED = {"depressed": False, "outlined": True, "color": None}
"""The look of the other buttons of the row."""


@solara.component
def ChoiceButtons(names: list[str], chosen: str, on_choose: Callable[[str], None], classes: list[str]):
    """A row of small buttons of which one, ``chosen``, is pressed (the phone's steps, the levers)."""
    with solara.Row(style={"gap": "4px", "flex-wrap": "wrap"}, classes=classes):
        for name in names:
            solara.Button(
                name,
                small=True,
                **(PRESSED if name == chosen else RELEASED),
                on_click=lambda name=name: on_choose(name),
            )
