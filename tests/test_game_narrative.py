"""The debrief teaches: a story in sentences, a timeline from decisions to splits, a score per role
against its own goals with a ranking, and no True/False or schema messages in the decision table."""

from __future__ import annotations

from _game import open_room

from marketsim.game.shocks import export_ban
from marketsim.governance import decisions as D
from viz.game.debrief import debrief_of, decisions_html, report_html


def test_the_debrief_tells_the_story_and_ranks_each_role_on_its_goals(server):
    room, boss, tokens = open_room(server)
    now = room.status()["date"]
    room.submit(tokens["usa"], [D.stockpile("usa", now, "ndpr", 2000)])
    try:
        room.submit(tokens["japan"], [D.price_floor("japan", now, "ndpr", -1.0)])
    except ValueError:
        pass
    room.inject_shock(boss, export_ban(now, "china", ("japan",), months=12))
    room.advance(boss)
    debrief = debrief_of(room)
    assert debrief.story[0].startswith("The news: CHINA bans rare-earth exports to JAPAN")
    assert any(line.startswith("USA decided 1 time(s) (stockpile)") for line in debrief.story)
    assert [row[:3] for row in debrief.timeline] == [("1", "USA", "stockpile")]
    assert sorted(debrief.ranking["government"]) == ["JAPAN", "USA"] and sorted(debrief.ranking["rank"]) == [1, 2]
    table = decisions_html(debrief.decisions, people_only=True)
    assert "True" not in table and "False" not in table and "Input should" not in table
    assert "refused: Decision 1: A price floor must be above zero." in table
    report = report_html(debrief, "debrief")
    assert "debrief-narrative" in report and "The chart's numbers" in report
