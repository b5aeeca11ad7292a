"""The game's pages rendered in process (no browser): a facilitator creates a room and runs it,
a player joins and submits, a refused decision shows the engine's message, and the debrief
exports one HTML file with its charts and decision table."""

from __future__ import annotations

import time

import ipyvuetify as v
import pytest
import solara
from _game import seat
from game_widgets import alerts, click, field, render, shown, texts

from marketsim.game import GameError, GameServer
from marketsim.scenario.loading import complete_text
from viz.dashboard.session import scenario_library
from viz.game import state as game_state
from viz.game.debrief import debrief_of, report_html
from viz.game.home import FacilitatorHome
from viz.game.memory import memory
from viz.game.player import PlayerPage


@pytest.fixture
def server(tmp_path):
    game = GameServer(tmp_path / "game.db")
    game_state.use_game_server(game)
    game_state.facilitator_seat.set(None)  # outside a server the session state is global: reset it
    game_state.player_seat.set(None)
    memory.set({"device": "test-device"})  # what the browser's storage answers (no browser here)
    yield game
    game.close()


def started_room(server, seats: list[str], scenario: str = "ai_world"):
    """A started room of a library scenario (seed 3, 3 months a round): ``(created, room)``."""
    text = complete_text(scenario_library()[scenario])
    created = server.create_room(text, f"{scenario}.toml", seed=3, seats=seats, ticks_per_round=3)
    room = server.room(created.room_id)
    room.start(created.facilitator_token)
    return created, room


def joined_page(code: str, name: str, decide: bool = True):
    """The join page for ``code``, with ``name`` joined (the emptiest seat), on the "Decide" step
    unless ``decide`` is False (then on the first round's briefing)."""
    context = render(PlayerPage(code))
    field(context, v.TextField, "Your name").v_model = name
    click(context, "Join")
    if decide:
        click(context, "Decide")
    return context


def test_facilitator_creates_a_room_and_sees_its_code(server):
    context = render(FacilitatorHome())
    try:
        click(context, "Create room")
        (code,) = texts(context, "join-code")
        assert len(code) == 6
        (link,) = texts(context, "join-link")
        assert link.endswith(f"/join?code={code}")
        (room,) = server.rooms()
        status = server.room(room["room"]).status()
        assert [r["region"] for r in status["roster"]] == ["usa", "eu", "japan"]
        assert status["phase"] == "lobby"
        click(context, "Start")
        assert "round 1 · deciding" in texts(context, "console-status")[0]
    finally:
        context.close()


def test_bad_seed_is_refused(server):
    context = render(FacilitatorHome())
    try:
        field(context, v.TextField, "Seed").v_model = "twelve"
        click(context, "Create room")
        assert any("seed must be a whole number" in a for a in alerts(context, "game-error"))
        assert server.rooms() == []
    finally:
        context.close()


def test_player_joins_submits_and_a_refused_decision_explains_itself(server, tmp_path):
    created, room = started_room(server, ["usa", "japan"])
    context = joined_page(created.join_code, "Ann", decide=False)
    try:
        assert texts(context, "player-status")[0].startswith("USA · round 1")
        (briefing,) = [
            w.unsafe_innerHTML
            for w in context.find(solara.widgets.HTML).widgets
            if "briefing-text" in (w.attributes or {}).get("class", "").split()
        ]
        assert "You are the government of USA" in briefing
        click(context, "Decide")
        # One lever's fields at a time: the tariff's first, a price floor's once chosen.
        labels = [w.label for w in context.find(v.TextField).widgets]
        assert "Price floor, US$/kg" not in labels and "Tariff on imports from" in [
            w.label for w in context.find(v.Select).widgets
        ]
        click(context, "Price floor")
        assert "Tariff on imports from" not in [w.label for w in context.find(v.Select).widgets]
        # A price floor of zero is refused by the seam, with its reason.
        field(context, v.TextField, "Price floor, US$/kg").v_model = "0"
        click(context, "Add price floor")
        click(context, "Submit decisions")
        (error,) = alerts(context, "game-error")
        assert error == "Refused. Decision 1: A price floor must be above zero."
        # Remove it, add a tariff: accepted.
        click(context, "Remove")
        click(context, "Tariff")
        click(context, "Add tariff")
        click(context, "Submit decisions")
        (ok,) = alerts(context, "game-message")
        assert ok.startswith("Submitted for round 1: 1 decision")
        assert room.state.queues["usa"][0]["type"] == "tariff"
        room.advance(created.facilitator_token)
        table = debrief_of(room).decisions
        assert sorted(table[table["by"] == "player"]["accepted"]) == [False, True]
        # The page redraws for round 2 by itself; last round's "Submitted" is not shown again.
        deadline = time.monotonic() + 30
        while not texts(context, "player-status")[0].startswith("USA · round 2") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert texts(context, "player-status")[0].startswith("USA · round 2")
        while alerts(context, "game-message") and time.monotonic() < deadline:  # the redraw may still be under way
            time.sleep(0.05)
        assert alerts(context, "game-message") == []
    finally:
        context.close()


def test_debrief_report_is_one_html_file_with_charts_and_decisions(server):
    created, room = started_room(server, ["usa"])
    joined = seat(server, created, "Bo", "k")
    room.submit(joined.token, [{"type": "tariff", "importer": "usa", "rate": 0.3, "origins": ["china"]}])
    room.advance(created.facilitator_token)
    page = report_html(debrief_of(room), "debrief")
    assert page.count("<script") >= 3 and page.count("Plotly.newPlot") == 3  # two prices, one dependency
    assert "(bot twin)" in page and "<table class='decisions'>" in page and ">tariff<" in page
    assert "<script src=" not in page  # plotly.js is inline: the file works offline


def test_a_second_player_joins_a_taken_government_as_a_team(server):
    created, room = started_room(server, ["usa", "japan"])
    first = seat(server, created, "Ann", "k", "usa")
    room.submit(first.token, [{"type": "tariff", "importer": "usa", "rate": 0.3, "origins": ["china"]}])
    context = render(PlayerPage(created.join_code))
    try:
        assert texts(context, "team-sizes") == ["Players now: usa 1, japan 0"]
        field(context, v.TextField, "Your name").v_model = "Bo"
        field(context, v.Select, "Government (optional; a taken one makes you a team)").v_model = "usa"
        click(context, "Join")
        assert alerts(context, "held-join")  # a taken government: the teacher admits Bo first
        room.approve(created.facilitator_token, room.requests()[0]["id"])
        deadline = time.monotonic() + 30
        while not texts(context, "player-status") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert texts(context, "player-status")[0].startswith("USA · round 1")
        while not texts(context, "player-team") and time.monotonic() < deadline:  # the redraw may be under way
            time.sleep(0.05)
        (team,) = texts(context, "player-team")
        assert team.startswith("Your team: Ann, Bo.")
        click(context, "Decide")
        while not texts(context, "queued") and time.monotonic() < deadline:  # the seat's page may be redrawn
            time.sleep(0.05)
            click(context, "Decide")  # (again: choosing the step shown changes nothing)
        (queued,) = texts(context, "queued")
        assert queued.startswith("Queued now (sent by Ann): tariff 30% on china")
    finally:
        context.close()
    facilitator = render(FacilitatorHome())
    try:
        game_state.facilitator_seat.set(game_state.Seat(room.id, room.join_code, created.facilitator_token))
        assert texts(facilitator, "roster-players")[:2] == ["Ann (submitted), Bo (thinking)", "(empty seat)"]
    finally:
        facilitator.close()


def test_player_accepts_an_alliance_offer_and_sends_one(server):
    created, room = started_room(server, ["usa", "china"])
    china = seat(server, created, "Wei", "k", "china")
    room.propose(china.token, "usa", "pact")
    context = joined_page(created.join_code, "Ann")
    try:
        incoming = [
            w
            for w in shown(context, v.Html)
            if "CHINA invites you into a new alliance pact." in "".join(map(str, w.children))
        ]
        assert incoming
        click(context, "Accept")
        (ok,) = alerts(context, "game-message")
        assert ok.startswith("Accepted")
        assert room.state.offers[1].status == "accepted"
        click(context, "Invite a government into an alliance")  # the form is folded away on a phone
        field(context, v.Select, "Into").v_model = "a new alliance"
        field(context, v.TextField, "New alliance name").v_model = "club"
        click(context, "Send invitation")
        assert room.offers_of("china")["incoming"][-1] == {
            "id": 2,
            "from": "usa",
            "to": "china",
            "alliance": "club",
            "new": True,
            "round": 0,
            "status": "pending",
        }
    finally:
        context.close()
    room.advance(created.facilitator_token)
    assert sorted(room.state.model.book.members["pact"]) == ["china", "usa"]


def test_console_lists_alliance_offers_and_injected_shocks(server):
    text = complete_text(scenario_library()["ai_world"])
    created = server.create_room(text, "ai_world.toml", seed=3, seats=["usa", "china", "japan"], ticks_per_round=3)
    room = server.room(created.room_id)
    token = created.facilitator_token
    room.start(token)
    china = seat(server, created, "Wei", "k", "china")
    usa = seat(server, created, "Ann", "k", "usa")
    seat(server, created, "Kei", "k", "japan")
    context = render(FacilitatorHome())
    try:
        game_state.facilitator_seat.set(game_state.Seat(room.id, room.join_code, token))
        assert texts(context, "console-offer") == [] and texts(context, "console-shock") == []
        assert "No alliance offers yet." in ["".join(map(str, w.children)) for w in shown(context, v.Html)]
    finally:
        context.close()
    room.propose(china.token, "usa", "pact")
    room.propose(china.token, "japan", "pact")
    room.answer(usa.token, 1, True)
    # The console's own buttons from here (a change made behind its back redraws it from a timer thread).
    context = render(FacilitatorHome())
    try:
        click(context, "Inject shock")  # the menu's default: half of China's mine output for 6 months
        assert alerts(context, "game-message") == ["Shock injected."]
        assert texts(context, "console-offer") == [
            "china → usa: pact (new alliance, round 1, accepted)",
            "china → japan: pact (new alliance, round 1, pending)",
        ]
        (shock,) = texts(context, "console-shock")
        assert shock.startswith("Shock: round 1: mine disruption in china (50% of output), 2024-01 to ")
        click(context, "Advance 3 months")
        assert texts(context, "console-offer")[0] == "china → usa: pact (new alliance, round 1, played)"
        assert len(texts(context, "console-shock")) == 1
        click(context, "Undo last round")
        assert texts(context, "console-shock") == []  # the undone round's shock is gone with it
        assert texts(context, "console-offer")[0] == "china → usa: pact (new alliance, round 1, accepted)"
    finally:
        context.close()


def test_console_takes_one_member_out_of_a_team(server):
    created, room = started_room(server, ["usa", "japan"])
    ann = seat(server, created, "Ann", "k", "usa")
    ben = seat(server, created, "Ben", "k", "usa")
    game_state.facilitator_seat.set(game_state.Seat(room.id, room.join_code, created.facilitator_token))
    context = render(FacilitatorHome())
    try:
        assert "Take out Kei" not in [b.children[0] for b in context.find(v.Btn).widgets if b.children]
        click(context, "Take out Ben")
        assert alerts(context, "game-message") == ["Ben taken out; the team plays on."]
        assert room.player_view(ann.token)["team"] == ["Ann"]
        with pytest.raises(GameError):
            room.player_view(ben.token)
        usa = next(r for r in room.roster() if r["region"] == "usa")
        assert [p["name"] for p in usa["players"]] == ["Ann"]
        # A team of one has no "Take out" button: "Replace by AI" hands the seat over.
        assert not [b for b in context.find(v.Btn).widgets if b.children and str(b.children[0]).startswith("Take out")]
    finally:
        context.close()


def test_diversification_levers_go_through_the_seam(server):
    created, room = started_room(server, ["usa", "japan"], "baseline_2024")
    context = joined_page(created.join_code, "Ann")
    try:
        click(context, "Research")
        click(context, "Add research funding")
        click(context, "Standards")
        click(context, "Add environmental standard")
        click(context, "Collection scheme")
        click(context, "Add collection scheme")
        click(context, "Projects")
        field(context, v.Select, "Deal").v_model = "offtake"
        click(context, "Add project offtake")
        click(context, "Submit decisions")
        (ok,) = alerts(context, "game-message")
        assert ok.startswith("Submitted for round 1: 4 decisions")
        queue = room.state.queues["usa"]
        assert [d["type"] for d in queue] == [
            "research_funding",
            "environmental_standard",
            "collection_scheme",
            "offtake",
        ]
        assert {d["start"] for d in queue} == {room.status()["date"]}, "each is dated at the round's first month"
        room.advance(created.facilitator_token)
        table = debrief_of(room).decisions
        played = table[(table["by"] == "player") & (table["government"] == "usa")]
        assert sorted(played["kind"]) == sorted(d["type"] for d in queue)
        assert played["accepted"].all()
    finally:
        context.close()


def test_the_projects_lever_shows_only_where_there_are_projects(server):
    created, _ = started_room(server, ["usa"], "history_2009")  # a world with no supply projects
    context = joined_page(created.join_code, "Ann")
    try:
        buttons = [b.children[0] for b in context.find(v.Btn).widgets if b.children]
        assert "Research" in buttons and "Projects" not in buttons
    finally:
        context.close()
