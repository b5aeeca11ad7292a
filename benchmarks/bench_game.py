"""Classroom game load: joins, rounds and memory, with simulated clients and with real browsers.

Prints (nothing is asserted):

Engine (in this process, no web server):
- join: seconds per ``GameServer.join`` while filling 5 rooms of 20 players on the baseline's
  17 governments (teams), p50/p95/max;
- 5 rooms advancing at once: seconds per ``Room.advance`` (12 monthly ticks of the baseline)
  when 5 threads call it together, p50/p95/max over rounds and rooms (and one room alone);
- simulated clients: a 30-player room (teams on the 17 governments); 30 threads call
  ``room.player_view(token)`` in a loop (every ``--poll`` s, default 0: as fast as they can)
  while the main thread advances; for each client, the time from the start of ``advance`` until
  its view shows the new round. "Every client" is the slowest client of a round; p50/p95/max of
  that over the rounds, and of all client observations;
- RSS of this process before and after building the 5 x 20 rooms.

Real server (``marketsim game`` on 127.0.0.1, started by ``tests/browser.py``'s ``game_server``):
- the 5 rooms of 20 players (made above in its database) and a 30-player room are rebuilt by the
  server from its database; RSS of the server's process group (the CLI and its Solara child);
- browser join: one headless Chromium, one context (one session) per player, each joining the
  30-player room through the join page (the smallest team by default; a second player on a
  government is admitted from the console, which the time includes); seconds from the click on
  Join until the page shows the player's status line, p50/p95/max;
- advance to every browser (round by round too: the first round turns every page from its
  briefing to its numbers): the facilitator's console clicks "Advance 12 months"; each player page
  watches its status line in the page (``setInterval`` every 20 ms, stamping ``Date.now()``) and
  the latency is that stamp minus the click time (same machine clock). The pages wait on their
  room and redraw as soon as it changes (no polling); "every client" is the slowest page of a
  round; p50/p95/max over the rounds. Each page also stamps the websocket messages it receives:
  the last one before its status line changed is when the server's update had arrived, so the
  server's part of the delay is told from the pages' own drawing, and counted (the websocket
  messages a page gets in a round, widgets whose values changed, and their bytes);
- RSS of the server's process group with the browser sessions connected.

In a classroom every page runs on its own device; here 30 Chromium pages share the server's
machine. ``--pin`` puts the server on CPU 0 and Chromium (and this process) on the others, so the
pages' own drawing does not take the server's core: the closest this machine gets to separate
devices. Without it, everything shares every core.

``--profile`` samples the server's Python stacks during the timed rounds (every 5 ms, each
thread's stack weighted by the CPU time that thread used since the last sample, so a thread
waiting for a lock or the interpreter counts for nothing) and prints where its CPU time went.
It loads a small sampler into the server with a ``sitecustomize`` module; the timings of a
profiled run are a little slower than a plain run's.

``--clock 600`` gives the browsers' room a decision clock, as a class would have. ``--deciding 15``
has 15 player pages open "Decide" before each round (a class deciding as the round is played).

Run: .venv/bin/python benchmarks/bench_game.py [--browsers 30] [--rounds 8] [--no-browser] [--pin] [--profile]
[--clock SECONDS] [--deciding PAGES]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from game_sampler import profile_report, profiler
from processes import chromium_mb, pin_server, rss_mb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from browser import CHROMIUM, CHROMIUM_FLAGS, game_server, offline_page  # noqa: E402

from marketsim.game import GameServer  # noqa: E402
from marketsim.scenario.loading import parse_scenario_text  # noqa: E402

SCENARIO = ROOT / "configs" / "baseline_2024.toml"
WAIT = 180_000
MESSAGES = """(() => {
  // Stamp every websocket message the page receives, so the server's part of the delay (until
  // the update reaches the page) can be told from the page's own drawing.
  const Original = window.WebSocket;
  window.__messages = [];
  window.__bytes = 0;
  window.__sockets = 0;
  window.WebSocket = function (...args) {
    const socket = new Original(...args);
    window.__sockets += 1;
    socket.addEventListener("message", (event) => {
      window.__messages.push(Date.now());
      const data = event.data;
      window.__bytes += typeof data === "string" ? data.length : data.byteLength || data.size || 0;
    });
    return socket;
  };
  Object.assign(window.WebSocket, Original);
  window.WebSocket.prototype = Original.prototype;
})();"""
WATCH = """([round, selector]) => {
  window.__messages = [];
  window.__bytes = 0;
  window.__seen = null;
  // A mutation observer, not a timer: timers of pages in the background may be throttled.
  const check = () => {
    const s = document.querySelector(selector);
    if (window.__seen === null && s && s.innerText.includes('round ' + round + ' ')) {
      window.__seen = Date.now(); observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
}"""
BROWSER_FLAGS = [
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    "--disable-features=IntensiveWakeUpThrottling",
]
"""In a classroom every page is the one in front on its own device: none is throttled as a
background page."""


def spread(values: list[float]) -> str:
    """p50, p95 and max of seconds, as text."""
    if not values:
        return "n/a"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):.3f} s, p95 {p95:.3f} s, max {ordered[-1]:.3f} s (n={len(ordered)})"


def admitted(server: GameServer, created, joined):
    """A join held for approval (a second player on a government) admitted by the facilitator."""
    if joined.held:
        room = server.room(created.room_id)
        room.approve(created.facilitator_token, room.requests()[-1]["id"])
    return joined


def new_room(server: GameServer, text: str, seats: list[str], clock: float = 0):
    created = server.create_room(text, SCENARIO.name, 1, seats, ticks_per_round=12, time_limit_s=clock)
    return created, server.room(created.room_id)


def engine(db: Path, rounds: int, poll: float, clock: float = 0) -> dict:
    """The engine-level figures; leaves in ``db`` 5 started rooms of 20 players, the simulated clients'
    room, and an empty started room for the browsers (with a decision clock of ``clock`` seconds
    a round; 0: none)."""
    text = SCENARIO.read_text()
    seats = list(parse_scenario_text(text, SCENARIO.name).regions)
    rss_before = rss_mb(psutil.Process().pid, children=False)
    server = GameServer(db)
    rooms, joins = [], []
    for _ in range(5):
        created, room = new_room(server, text, seats)
        for k in range(20):
            start = time.perf_counter()
            admitted(server, created, server.join(created.join_code, f"player {k + 1}", "bench"))
            joins.append(time.perf_counter() - start)
        room.start(created.facilitator_token)
        rooms.append((created, room))
    rss_after = rss_mb(psutil.Process().pid, children=False)
    print(f"engine join (5 rooms x 20 players, 17 governments): {spread(joins)}")
    print(f"engine RSS of this process: {rss_before:.0f} MB before, {rss_after:.0f} MB with 5 rooms x 20 players")

    alone = []
    for _ in range(3):
        start = time.perf_counter()
        rooms[0][1].advance(rooms[0][0].facilitator_token)
        alone.append(time.perf_counter() - start)
    together: list[float] = []
    barrier = threading.Barrier(5)

    def advance(created, room):
        barrier.wait()
        start = time.perf_counter()
        room.advance(created.facilitator_token)
        together.append(time.perf_counter() - start)

    for _ in range(rounds):
        threads = [threading.Thread(target=advance, args=pair) for pair in rooms]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    print(f"engine advance, one room alone (12 ticks): {spread(alone)}")
    print(f"engine advance, 5 rooms at once (12 ticks each, per room): {spread(together)}")

    # A 30-player room with simulated clients polling their views.
    created, room = new_room(server, text, seats)
    tokens = [
        admitted(server, created, server.join(created.join_code, f"student {k + 1}", "bench")).token for k in range(30)
    ]
    room.start(created.facilitator_token)
    sizes = [len(r["players"]) for r in room.roster()]
    every, each, played, cards, pages, ahead = [], [], [], [], [], []
    for _ in range(rounds):
        target = room.state.round + 1
        start = time.perf_counter()
        room.twin_ahead()  # what the room does in the background while the players decide
        ahead.append(time.perf_counter() - start)
        seen = [0.0] * len(tokens)
        ready = threading.Barrier(len(tokens) + 1)

        def client(index, token, target=target, seen=seen, ready=ready):
            ready.wait()
            while True:
                if room.player_view(token)["round"] >= target:
                    seen[index] = time.perf_counter()
                    return
                if poll:
                    time.sleep(poll)

        threads = [threading.Thread(target=client, args=(k, t)) for k, t in enumerate(tokens)]
        for thread in threads:
            thread.start()
        ready.wait()
        time.sleep(0.05)  # the clients are polling
        start = time.perf_counter()
        room.advance(created.facilitator_token)
        for thread in threads:
            thread.join()
        delays = [s - start for s in seen]
        each.extend(delays)
        every.append(max(delays))
        played.append(time.perf_counter() - start)
        shared_compute(room, cards, pages)
    print(
        f"engine, 30 simulated clients (teams of {min(sizes)}-{max(sizes)} on 17 governments), advance of 12 "
        f"ticks until every client's view shows the new round: {spread(every)}"
    )
    print(f"  same, each client's observation: {spread(each)}")
    print("engine, what one round costs the room, once for all its pages (this process, no web server):")
    print(f"  the round (advance, 12 ticks, and the clients' views meanwhile): {spread(played)}")
    print(f"  the consequence cards of every seat, the twin's round played ahead: {spread(cards)}")
    print(f"  (off the round's path, while the players decide: the twin's coming round, {spread(ahead)})")
    print(f"  every seat's numbers and briefing as the pages show them (HTML, shared by a team): {spread(pages)}")
    created, room = new_room(server, text, seats, clock)  # for the browsers: they join it through the page
    room.start(created.facilitator_token)
    server.close()
    return {"code30": created.join_code, "token30": created.facilitator_token}


def shared_compute(room, cards: list[float], pages: list[float]) -> None:
    """Time what the pages of a room need after a round, made once for them all: the consequence
    cards (against the bot twin, its round played ahead), then each seat's numbers and briefing as the player page draws
    them (:func:`viz.game.numbers.step_html`)."""
    from viz.game.numbers import step_html  # noqa: PLC0415

    start = time.perf_counter()
    room.consequences()
    cards.append(time.perf_counter() - start)
    start = time.perf_counter()
    for region in room.setup().seats:
        held = room.shared(("holdings", region), lambda region=region: room.holdings(region))
        step_html(room, region, held, briefing=False)
        step_html(room, region, held, briefing=True)
    pages.append(time.perf_counter() - start)


def open_decide(pages: list, deciding: int) -> None:
    """The first ``deciding`` pages open their "Decide" step (a new round turns them to their numbers)."""
    for page in pages[:deciding]:
        page.get_by_role("button", name="Decide", exact=True).click()
        page.locator(".decision-form").wait_for(timeout=WAIT)


def browsers(
    db: Path, room30: dict, count: int, rounds: int, pin: bool, control: Path | None = None, deciding: int = 0
) -> None:
    """The real-server figures."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with game_server(db) as (url, process), sync_playwright() as playwright:
        if pin:
            pin_server(process.pid)
        print(f"server RSS (process group) just started: {rss_mb(process.pid):.0f} MB")
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_FLAGS, *BROWSER_FLAGS])
        boss = offline_page(chromium).page
        boss.set_default_timeout(WAIT)  # a loaded machine: Playwright's 30 s can run out
        boss.goto(url)
        boss.locator(".resume-console").wait_for(timeout=WAIT)
        boss.get_by_label("Room code").fill(room30["code30"])
        boss.get_by_label("Facilitator token").fill(room30["token30"])
        boss.get_by_role("button", name="Resume console", exact=True).click()
        boss.locator(".console-status").wait_for(timeout=WAIT)
        print(
            f"server RSS with every room rebuilt (5 x 20 players, 30 simulated, 1 empty): {rss_mb(process.pid):.0f} MB"
        )

        pages, joins = [], []
        for k in range(count):
            page = offline_page(chromium).page
            page.set_default_timeout(WAIT)
            page.add_init_script(MESSAGES)
            page.set_viewport_size({"width": 800, "height": 900})
            page.goto(f"{url}join?code={room30['code30']}")
            page.get_by_label("Your name").wait_for(timeout=WAIT)
            page.get_by_label("Your name").fill(f"student {k + 1}")
            start = time.time()
            page.get_by_role("button", name="Join", exact=True).click()
            page.locator(".player-status, .held-join").first.wait_for(timeout=WAIT)
            if page.locator(".held-join").count():  # a taken government: the teacher admits from the console
                admit = boss.locator(".join-request").get_by_role("button", name="Admit")
                admit.first.wait_for(timeout=WAIT)
                admit.first.click()
                page.locator(".player-status").wait_for(timeout=WAIT)
            joins.append(time.time() - start)
            pages.append(page)
        print(f"browser join ({count} players, one Chromium context each): {spread(joins)}")
        print(
            f"server RSS with {count} browser sessions: {rss_mb(process.pid):.0f} MB; "
            f"Chromium RSS (sum over its processes): {chromium_mb():.0f} MB"
        )

        every, each, delivered, console, server_cpu, messages, received = [], [], [], [], [], [], []
        if control is not None:
            (control / "on").touch()
        for _ in range(rounds):
            open_decide(pages, deciding)
            status = boss.locator(".console-status").inner_text()
            target = int(status.split("round ", 1)[1].split(" ", 1)[0]) + 1
            for page in pages:
                page.evaluate(WATCH, [target, ".player-status"])
            boss.evaluate(WATCH, [target, ".console-status"])
            button = boss.get_by_role("button", name="Advance 12 months", exact=True)
            button.wait_for(timeout=WAIT)
            cpu_before = sum(psutil.Process(process.pid).cpu_times()[:2])
            clicked = time.time()
            button.click()
            for page in pages:
                page.wait_for_function("() => window.__seen !== null", timeout=WAIT)
            delays = [page.evaluate("() => window.__seen") / 1000.0 - clicked for page in pages]
            each.extend(delays)
            every.append(max(delays))
            time.sleep(0.5)  # let the server finish sending
            server_cpu.append(sum(psutil.Process(process.pid).cpu_times()[:2]) - cpu_before)
            boss.wait_for_function("() => window.__seen !== null", timeout=WAIT)
            console.append(boss.evaluate("() => window.__seen") / 1000.0 - clicked)
            # The last message before the page showed the round: when the update had arrived.
            arrived = [
                page.evaluate("() => Math.max(...window.__messages.filter(t => t <= window.__seen))") / 1000.0 - clicked
                for page in pages
            ]
            delivered.append(max(arrived))
            messages.append(sum(page.evaluate("() => window.__messages.length") for page in pages) / count)
            received.append(sum(page.evaluate("() => window.__bytes") for page in pages) / count)
            boss.get_by_text(f"round {target} · deciding").wait_for(timeout=WAIT)
        print(
            f"browser, {count} player pages{' (pinned)' if pin else ''}"
            f"{f', {deciding} on their decision form' if deciding else ''}, advance of 12 ticks until every page "
            f"shows the new round: {spread(every)}"
        )
        print(f"  same, each page's observation: {spread(each)}")
        print("  every page, round by round: " + ", ".join(f"{s:.2f}" for s in every) + " s")
        print("  the last page's update received, round by round: " + ", ".join(f"{s:.2f}" for s in delivered) + " s")
        print("  server CPU, round by round: " + ", ".join(f"{s:.2f}" for s in server_cpu) + " s")
        print("  websocket messages a page received, round by round: " + ", ".join(f"{m:.1f}" for m in messages))
        print(f"  server CPU time per round (user + system, until 0.5 s after the last page): {spread(server_cpu)}")
        print(f"  the facilitator's console (the round is played in its click handler): {spread(console)}")
        print(
            f"  same, until the last page has received its update (the server's part; the rest is the "
            f"pages drawing): {spread(delivered)}"
        )
        print(
            f"  websocket messages a page received in a round: {statistics.mean(messages):.1f} on average, "
            f"{statistics.mean(received):,.0f} bytes"
        )
        if control is not None:
            print(f"where the server's CPU went during the {rounds} rounds (sampled):")
            print(profile_report(control))
        opened = sum(page.evaluate("() => window.__sockets") for page in pages)
        print(f"websockets opened by the {count} pages: {opened} (more than {count}: pages reconnected)")
        print(f"server RSS after the rounds: {rss_mb(process.pid):.0f} MB")
        chromium.close()


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--browsers", type=int, default=30, help="player pages in Chromium (0: none)")
    parser.add_argument("--rounds", type=int, default=8, help="rounds timed")
    parser.add_argument("--poll", type=float, default=0.0, help="seconds between simulated clients' polls")
    parser.add_argument("--no-browser", action="store_true", help="engine figures only")
    parser.add_argument("--pin", action="store_true", help="server on CPU 0, browsers on the others")
    parser.add_argument("--profile", action="store_true", help="sample where the server's CPU goes in the rounds")
    parser.add_argument("--clock", type=float, default=0.0, help="a clock in the browsers' room, s (0: none)")
    parser.add_argument("--deciding", type=int, default=0, help="player pages on their decision form at each round")
    args = parser.parse_args()
    print(f"{psutil.cpu_count()} CPUs; scenario {SCENARIO.name}")
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "games.sqlite3"
        room30 = engine(db, args.rounds, args.poll, args.clock)
        if args.browsers and not args.no_browser:
            control = profiler(Path(folder)) if args.profile else None
            browsers(db, room30, args.browsers, args.rounds, args.pin, control, args.deciding)


if __name__ == "__main__":
    main()
