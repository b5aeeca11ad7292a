"""A toy call-auction market on Mesa, in pure Python: the yardstick bench_run.py times beside marketsim.

Issue 18 sets ``marketsim run`` against "Mesa's pure-Python toy call-auction market of 360
steps", timed on the same machine in the same benchmark run, so that the ratio says how far the
model is from the cost of the simplest market a Mesa user would write, whatever the machine's
load. Mesa's examples are not installed here, so this module is that reference, written the way
a Mesa example is written:

- 100 traders (``mesa.Agent``), each holding cash and units of one good, each with its own
  estimate of the good's value (spread around 100);
- every step, each trader in random order posts one limit order of 1-5 units: a bid below its
  estimate when it values the good above the last price, an ask above it otherwise, as far as
  its cash or stock allows;
- the market clears once per step, as a call auction: bids sorted from the highest, asks from
  the lowest, matched unit by unit while the bid is at least the ask; every trade goes at one
  clearing price, the midpoint of the last matched bid and ask;
- traders move their estimate a tenth of the way towards the clearing price, plus news of their
  own (a normal shock of 3), so that trade goes on.

360 steps (30 years of months), seeded. Run alone: ``python benchmarks/toy_market.py``.
"""

from __future__ import annotations

import time

import mesa

TRADERS = 100
STEPS = 360


class Trader(mesa.Agent):
    """One trader: cash, units held and an estimate of value."""

    def __init__(self, model: ToyMarket) -> None:
        super().__init__(model)
        self.cash = 10_000.0
        self.units = 50
        self.estimate = self.random.gauss(100.0, 15.0)

    def post(self) -> None:
        """Post one limit order: buy below the estimate or sell above it."""
        size = self.random.randint(1, 5)
        markup = self.random.uniform(0.0, 0.1)
        if self.estimate > self.model.price:
            price = self.estimate * (1.0 - markup)
            size = min(size, int(self.cash // price))
            if size > 0:
                self.model.bids.append((price, size, self))
        else:
            price = self.estimate * (1.0 + markup)
            size = min(size, self.units)
            if size > 0:
                self.model.asks.append((price, size, self))

    def learn(self) -> None:
        """Move the estimate towards the last clearing price, plus news of the trader's own."""
        self.estimate += 0.1 * (self.model.price - self.estimate) + self.random.gauss(0.0, 3.0)


class ToyMarket(mesa.Model):
    """Traders posting limit orders to a call auction that clears once a step."""

    def __init__(self, traders: int = TRADERS, seed: int = 1) -> None:
        super().__init__(rng=seed)
        self.price = 100.0
        self.volume = 0
        self.bids: list[tuple[float, int, Trader]] = []
        self.asks: list[tuple[float, int, Trader]] = []
        for _ in range(traders):
            Trader(self)

    def step(self) -> None:
        """Collect orders, clear the auction, let traders learn."""
        self.bids, self.asks = [], []
        self.agents.shuffle_do("post")
        self.clear()
        self.agents.do("learn")

    def clear(self) -> None:
        """Match the highest bids with the lowest asks at one price; settle each trade."""
        bids = sorted(self.bids, key=lambda order: -order[0])
        asks = sorted(self.asks, key=lambda order: order[0])
        matches, b, a, last = [], 0, 0, None
        bid_left = bids[0][1] if bids else 0
        ask_left = asks[0][1] if asks else 0
        while b < len(bids) and a < len(asks) and bids[b][0] >= asks[a][0]:
            units = min(bid_left, ask_left)
            matches.append((bids[b][2], asks[a][2], units))
            last = (bids[b][0] + asks[a][0]) / 2.0
            bid_left, ask_left = bid_left - units, ask_left - units
            if bid_left == 0:
                b += 1
                bid_left = bids[b][1] if b < len(bids) else 0
            if ask_left == 0:
                a += 1
                ask_left = asks[a][1] if a < len(asks) else 0
        if last is not None:
            self.price = last
        self.volume = sum(units for _, _, units in matches)
        for buyer, seller, units in matches:
            buyer.cash -= units * self.price
            buyer.units += units
            seller.cash += units * self.price
            seller.units -= units


def run_toy_market(steps: int = STEPS, seed: int = 1) -> ToyMarket:
    """Build the toy market and run it for ``steps`` steps."""
    market = ToyMarket(seed=seed)
    for _ in range(steps):
        market.step()
    return market


def time_toy_market(repeats: int = 5, clock=time.perf_counter) -> float:
    """Best time of building and running the toy market, in seconds: wall time, or CPU time with
    ``clock=time.process_time``."""
    best = float("inf")
    for _ in range(repeats):
        start = clock()
        run_toy_market()
        best = min(best, clock() - start)
    return best


if __name__ == "__main__":
    market = run_toy_market()
    print(f"toy market: {STEPS} steps, last price {market.price:.2f}, volume {market.volume}")
    print(f"best of 5: {time_toy_market():.3f} s")
