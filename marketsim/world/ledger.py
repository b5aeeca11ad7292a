"""Stocks of every good in every region, with tracers of where their content came from.

Each pool carries, besides its tonnage, tracer tonnes: how much of it was mined, separated and
made into magnets in China (for dependency), and, for concentrate, its tonnes of each element
group. Tracers move in proportion to the material, so mixing is exact.
"""

from __future__ import annotations

import numpy as np

from marketsim.vocabulary import TRACERS


class Pool:
    """Tonnes of each good in each region, with their tracers."""

    def __init__(self, goods: int, regions: int) -> None:
        """Create an empty pool of shape (goods, regions)."""
        self.amount = np.zeros((goods, regions))
        self.tracer = np.zeros((goods, regions, TRACERS))

    def content(self) -> np.ndarray:
        """(goods, regions, tracers) tracer tonnes per tonne held."""
        return np.divide(
            self.tracer,
            self.amount[:, :, None],
            out=np.zeros(self.tracer.shape),
            where=self.amount[:, :, None] > 0,
        )

    def content_of(self, good: int) -> np.ndarray:
        """(regions, tracers) tracer tonnes per tonne held of one good."""
        amount = self.amount[good][:, None]
        return np.divide(self.tracer[good], amount, out=np.zeros(self.tracer.shape[1:]), where=amount > 0)

    def add(self, amount: np.ndarray, tracer: np.ndarray) -> None:
        """Put material in, with its tracer tonnes."""
        self.amount += amount
        self.tracer += tracer

    def take(self, amount: np.ndarray) -> np.ndarray:
        """Take material out in proportion to what is held; return the tracer tonnes removed."""
        share = np.divide(amount, self.amount, out=np.zeros(self.amount.shape), where=self.amount > 0)
        np.minimum(share, 1.0, out=share)
        removed = self.tracer * share[:, :, None]
        self.amount = np.maximum(self.amount - amount, 0.0)
        self.tracer -= removed
        np.copyto(self.tracer, 0.0, where=(self.amount <= 0)[:, :, None])
        return removed


class Ledger:
    """Producers' stock (for sale), buyers' stock (for use) and state stockpiles."""

    def __init__(self, goods: int, regions: int) -> None:
        """Create empty pools of shape (goods, regions)."""
        self.seller = Pool(goods, regions)
        self.buyer = Pool(goods, regions)
        self.stockpile = Pool(goods, regions)

    def trade(self, flows: np.ndarray, to_stockpile: np.ndarray) -> None:
        """Move traded goods from sellers to buyers and stockpiles.

        Args:
            flows: (goods, origins, destinations) tonnes traded.
            to_stockpile: (goods, destinations) share of what arrives that goes to the state.
        """
        sold = np.add.reduce(flows, axis=2)
        content = self.seller.content()
        self.seller.take(sold)
        arriving = np.einsum("gok,god->gdk", content, flows)
        received = np.add.reduce(flows, axis=1)
        if not np.logical_or.reduce(to_stockpile, None):  # most months: no state buys, everything goes to the buyers
            self.buyer.add(received, arriving)
            return
        state = to_stockpile[:, :, None]
        self.stockpile.add(received * to_stockpile, arriving * state)
        self.buyer.add(received * (1.0 - to_stockpile), arriving * (1.0 - state))

    def release(self, amount: np.ndarray) -> None:
        """Move stockpiled goods onto the market of their region."""
        amount = np.minimum(amount, self.stockpile.amount)
        self.seller.add(amount, self.stockpile.take(amount))

    def held(self, goods: slice) -> float:
        """Total tonnes of the rows ``goods`` (a slice, e.g. :data:`~marketsim.vocabulary.REO_ROWS`)
        held anywhere."""
        add = np.add.reduce  # ndarray.sum without its Python wrapper (the same reduction)
        return float(
            add(self.seller.amount[goods], None)
            + add(self.buyer.amount[goods], None)
            + add(self.stockpile.amount[goods], None)
        )
