"""docs/teaching.md names what is on the game's pages: every label it tells a teacher to press or
read is on a page, and no lever the page offers is said to be missing from it."""

from __future__ import annotations

import re

from conftest import ROOT

from viz.game.decisions import LEVERS

LABELS = [
    "Create a room",
    "Create room",
    "Open the projector view",
    "Only this computer can join",
    "Waiting to join",
    "Admit",
    "Refuse",
    "Facilitator token (to reopen this console later)",
    "Replace by AI",
    "Take out",
    "Players",
    "Start",
    "Advance when time runs out",
    "Pause",
    "Extend 60 s",
    "Undo last round",
    "Shocks and messages",
    "Inject shock",
    "Show debrief",
    "Download debrief (HTML)",
    "Game file",
    "Download game file",
    "Open a game file",
    "Choose game file",
    "Resume a console",
    "Your briefing",
    "My numbers",
    "What your decisions did",
    "All my numbers",
    "Show price chart",
    "Invite a government into an alliance",
    "Submit decisions",
    "Queued now",
    "Government (optional",
]


def pages() -> str:
    return "\n".join(p.read_text() for p in sorted((ROOT / "viz" / "game").glob("*.py")))


def test_every_label_the_teaching_guide_quotes_is_on_a_page():
    guide, source = (ROOT / "docs" / "teaching.md").read_text(), pages()
    for label in LABELS:
        assert f'"{label}' in guide, f"teaching.md no longer quotes {label!r}: drop it from this list"
        assert label in source, f"teaching.md quotes {label!r}, which no page shows"
    assert "Your dashboard" not in guide and "Your dashboard" not in source  # the step is "My numbers"


def test_no_lever_on_the_page_is_said_to_be_missing():
    guide = (ROOT / "docs" / "teaching.md").read_text()
    offered = {"research", "standard", "project", "loan", "equity", "offtake", "collection", "recycling"}
    assert {name.lower() for name in LEVERS} >= {"research", "standards", "projects", "collection scheme"}
    for paragraph in guide.split("\n\n"):
        for missing in re.findall(r"[Nn]ot on the (?:player )?page(?: yet)?:([^.]*)\.", paragraph.replace("\n", " ")):
            named = {word for word in offered if word in missing.lower()}
            assert not named, f"teaching.md says {sorted(named)} are not on the page: {missing.strip()}"
