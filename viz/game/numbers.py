"""The player's "Briefing" and "My numbers" steps. "My numbers" is one phone screen: what the
last round did against the bot twin (one line of why and the four most important numbers, with
units), the budget and stockpile, and the rest (the card's other lines, prices, dependency, allies)
behind an expander; the price chart is drawn only when asked for.

The HTML of a government's numbers and briefing is the same for every member of its team: it is
made once per round and government and shared by the room's pages
(:meth:`~marketsim.game.views.RoomViews.shared`).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import solara
from solara.widgets import HTML as HTMLWidget

from marketsim.game import Room
from marketsim.vocabulary import GOODS, STAGES
from viz import charts
from viz.dashboard.components import Chart, Drawing
from viz.game.briefing import briefing_html
from viz.game.decisions import CARD
from viz.tables import text_table


def price_history(room: Room, region: str, good: str) -> dict:
    """A government's price of a good against the world's, month by month."""
    history = room.price_table()
    if history is None:
        return charts.placeholder("Prices appear after the first round.", 240)
    dates, price, region_index = history
    return charts.own_price_figure(dates, price, region_index[region], region, good)


def card_html(card: dict | None) -> str:
    """A seat's consequence card as HTML: why, then its key numbers against the bot twin."""
    if card is None:
        return "<p>After each round, this card shows what your decisions did against the bot twin.</p>"
    table = text_table(card["key"], ("last round", "you", "bot twin"), "own-table consequence-table")
    return f"<p class='card-why'><b>{html.escape(card['why'])}</b></p>{table}"


def more_numbers(card: dict | None, obs, importer: bool) -> str:
    """Everything else, as HTML: the card's other lines, prices against the world, dependency
    on China by stage (China: its share of world output), allies."""
    prices = [(charts.GOOD_NAMES[g], f"{obs.price[g]:,.1f}", f"{obs.world_price[g]:,.1f}") for g in GOODS]
    if importer:
        depend = [
            (stage, f"{100 * obs.dependency[stage]:.0f}%", f"{100 * obs.china_share[stage]:.0f}%") for stage in STAGES
        ]
        depend_table = text_table(depend, ("stage", "your dependency on China", "China's world share"), "own-table")
    else:
        depend = [(stage, f"{100 * obs.china_share[stage]:.0f}%") for stage in STAGES]
        depend_table = text_table(depend, ("stage", "your share of world output"), "own-table")
    allies = ", ".join(a.upper() for a in obs.allies) or "none"
    disputes = " · disputes with " + ", ".join(d.upper() for d in obs.disputes) if obs.disputes else ""
    parts = []
    if card is not None:
        rest = [line for line in card["lines"] if line not in card["key"]]
        parts.append(text_table(rest, ("last round", "you", "bot twin"), "own-table all-lines"))
    parts += [
        f"<p>Averages over the last round, to {html.escape(obs.date)}.</p>",
        f"<div class='own-prices'>{text_table(prices, ('good', 'your price, US$/kg', 'world, US$/kg'), 'own-table')}"
        "</div>",
        f"<div class='own-dependency'>{depend_table}</div>",
        f"<p>{html.escape(f'Allies: {allies}{disputes}')}</p>",
    ]
    return "".join(parts)


def own_numbers(card: dict | None, obs, importer: bool = True) -> str:
    """The step's numbers as one HTML block (a new round redraws one widget): the card, a line of
    budget and stockpile, and an expander with the rest (a line to wait for before the first round)."""
    if obs is None:
        return card_html(None) + "<p>Your prices, dependency and stockpile appear here after the first round.</p>"
    stock = [f"{charts.GOOD_NAMES[g]} {obs.stockpile[g]:,.0f} t" for g in GOODS if obs.stockpile[g] > 0]
    budget = "no fixed limit" if obs.budget_left is None else f"US${obs.budget_left:,.0f} m left this year"
    status = f"Budget: {budget} · stockpile: {', '.join(stock) or 'none'}"
    return "".join(
        [
            card_html(card),
            f"<p class='own-status'>{html.escape(status)}</p>",
            "<details class='more-numbers'><summary><b>All my numbers</b> (prices, dependency, allies)</summary>",
            more_numbers(card, obs, importer),
            "</details>",
        ]
    )


def step_html(room: Room, region: str, held: dict[str, int], briefing: bool) -> str:
    """A government's briefing (``briefing``) or numbers as HTML, the same for its whole team:
    made once a round and government for every page of the room."""
    if briefing:
        return room.shared(("briefing", region), lambda: briefing_html(room, region, held))

    def numbers() -> str:
        cards = room.consequences()
        return own_numbers((cards or {}).get(region), room.observation(region), region != "china")

    return room.shared(("numbers", region), numbers)


@solara.component
def PriceChart(room: Room, region: str, tick: tuple):
    """The government's price chart, one good at a time."""
    good, set_good = solara.use_state("ndpr")
    figure = room.shared(("price figure", region, good), lambda: price_history(room, region, good))
    solara.ToggleButtonsSingle(good, on_value=set_good, values=["ndpr", "dytb", "magnet"], dense=True)
    Chart(Drawing((room.id, region, good, tick), figure), "own_prices")


@solara.component
def ReadingStep(
    room: Room,
    region: str,
    attach: Callable[[str, Any], None],
    chart: bool,
    chart_drawn: bool,
    set_chart: Callable[[bool], None],
    tick: tuple,
):
    """The "Briefing" or the "My numbers" step: a card with one block of HTML (and, for the
    numbers, the price chart on request). Both steps are the same widgets with other contents, so
    when a new round turns the whole class's pages from the briefing to their numbers, the server
    writes a few values per page instead of drawing anything.

    The block's contents and CSS classes (:func:`step_html`, with the step's title) are written by
    the page (:class:`viz.game.live.LivePage`): a new round or another step changes them without
    drawing this again. The price chart's button hides itself on the briefing (CSS: the block's
    class says which step it is).

    Args:
        room: The room.
        region: The government played.
        attach: Called after each draw with ``"step"`` and the block's widget (None when gone).
        chart: Whether the price chart is open (its button's label).
        chart_drawn: Whether the price chart is drawn (open, on "My numbers").
        set_chart: Opens or closes it.
        tick: The round (a key that changes when a new round is played).
    """
    with solara.Card(classes=["reading-step"], style=CARD):
        block = HTMLWidget.element(tag="div")

        def attached():
            attach("step", solara.get_widget(block))
            return lambda: attach("step", None)

        solara.use_effect(attached, [])
        solara.Button(
            "Hide price chart" if chart else "Show price chart",
            small=True,
            text=True,
            on_click=lambda: set_chart(not chart),
            classes=["price-chart-toggle"],
        )
        if chart_drawn:
            PriceChart(room, region, tick)
