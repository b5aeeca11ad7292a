"""docs/teaching.md's model figures sit between the markers docs/make_teaching_numbers.py fills."""

from __future__ import annotations

import importlib.util
import sys

import pytest
from conftest import ROOT


def _script():
    spec = importlib.util.spec_from_file_location("make_teaching_numbers", ROOT / "docs" / "make_teaching_numbers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_guide_holds_exactly_the_markers_the_script_fills():
    script = _script()
    text = (ROOT / "docs" / "teaching.md").read_text()
    found = {key for key, _ in script.MARKER.findall(text)}
    assert found == set(script.KEYS)


def test_every_marker_is_closed_and_holds_a_value():
    script = _script()
    text = (ROOT / "docs" / "teaching.md").read_text()
    assert text.count("<!-- n:") == text.count("<!-- /n -->") == len(script.MARKER.findall(text))
    assert all(value.strip() for _, value in script.MARKER.findall(text))


def test_filling_refuses_an_unknown_or_missing_marker():
    script = _script()
    values = {key: "1" for key in script.KEYS}
    text = (ROOT / "docs" / "teaching.md").read_text()
    with pytest.raises(SystemExit, match="nonsense"):
        script.fill(text + "<!-- n:nonsense -->3<!-- /n -->", values)
    first = script.KEYS[0]
    with pytest.raises(SystemExit, match=first):
        script.fill(script.MARKER.sub(lambda m: "" if m.group(1) == first else m.group(0), text), values)
    filled = script.fill(text, values)
    assert {value for _, value in script.MARKER.findall(filled)} == {"1"}
