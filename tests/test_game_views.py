"""What a room shows the pages: views read under the room's lock, so a page never touches the model."""

from __future__ import annotations

from _game import open_room

from marketsim.governance.observation import Observation


def test_a_room_gives_pages_views_of_its_model(server):
    room, facilitator, _ = open_room(server)
    setup = room.setup()
    assert setup.regions == ("china", "usa", "japan") and setup.seats == ("usa", "japan")
    assert setup.ticks_per_round == 12 and setup.sectors
    assert room.observation("usa") is None and room.price_table() is None  # nothing has run yet
    assert room.budget_left("usa") == 500.0
    assert sum(room.holdings("china").values()) > 0
    before = room.log_size()
    room.advance(facilitator)
    assert room.log_size() == before + 1
    seen = room.observation("usa")
    assert isinstance(seen, Observation) and seen.region == "usa" and seen.tick == 12
    assert room.observation("usa") is seen  # computed once per round for every page
    dates, price, index = room.price_table()
    assert len(dates) == 12 and price.shape[0] == 12 and index["usa"] == 1
    world = room.world_so_far()
    assert world.span == ("2024-01", "2025-12")  # the year run and the coming round
    assert world.view.scores is not None


def test_a_players_signature_changes_with_their_teams_queue_only(server):
    room, _, tokens = open_room(server)
    usa, japan = room.seat_signature("usa"), room.seat_signature("japan")
    room.submit(tokens["japan"], [])
    assert room.seat_signature("usa") == usa and room.seat_signature("japan") != japan


def test_what_pages_derive_for_a_government_is_made_once_a_round_for_the_room(server):
    import threading  # noqa: PLC0415

    room, facilitator, _ = open_room(server)
    made = []

    def numbers(region):
        def make():
            made.append((region, room.state.model.tick))
            return f"{region} at month {room.state.model.tick}"

        return make

    # 30 pages wake at once for a new round: the first to draw makes it, the others read it.
    pages = [threading.Thread(target=room.shared, args=(("numbers", "usa"), numbers("usa"))) for _ in range(30)]
    for page in pages:
        page.start()
    for page in pages:
        page.join()
    assert made == [("usa", 0)]
    room.advance(facilitator)
    assert room.shared(("numbers", "usa"), numbers("usa")) == "usa at month 12"
    assert room.shared(("numbers", "japan"), numbers("japan")) == "japan at month 12"
    assert room.shared(("numbers", "usa"), numbers("usa")) == "usa at month 12"
    assert made == [("usa", 0), ("usa", 12), ("japan", 12)]
    room.broadcast(facilitator, "news for everyone")  # a public change: pages draw again
    room.shared(("numbers", "usa"), numbers("usa"))
    room.undo(facilitator)  # back to month 0: never last round's numbers
    assert room.shared(("numbers", "usa"), numbers("usa")) == "usa at month 0"
    assert made[-2:] == [("usa", 12), ("usa", 0)]
