"""Generated blocks in docs/*.md: every marker pair is well formed and some script fills it.

Scripts under docs/ (make_*.py) rewrite the text between ``<!-- KEY:start -->`` and
``<!-- KEY:end -->``. A broken pair makes a script stop or eat prose; a pair no script knows goes
stale. These checks read the files only: no model runs, no script is imported. (The inline
``<!-- n:KEY -->value<!-- /n -->`` figures of docs/teaching.md are another form, checked by
tests/test_teaching_numbers.py.)
"""

from __future__ import annotations

import ast
import re

from conftest import ROOT

DOCS = ROOT / "docs"
MARKER = re.compile(r"<!--\s*([A-Za-z0-9_:-]+?):(start|end)\b[^>]*-->")


def marker_problems(text: str) -> list[str]:
    """Everything wrong with the marker pairs of one text (empty when they are well formed)."""
    problems, open_key, seen = [], None, set()
    for match in MARKER.finditer(text):
        key, side = match.group(1), match.group(2)
        if side == "start":
            if open_key is not None:
                problems.append(f"{key}:start inside the open block {open_key}")
            if key in seen:
                problems.append(f"{key} appears twice")
            seen.add(key)
            open_key = key
        elif open_key != key:
            problems.append(f"{key}:end without its start" + (f" (open: {open_key})" if open_key else ""))
        else:
            open_key = None
    if open_key is not None:
        problems.append(f"{open_key}:start never ends")
    return problems


def marker_keys(text: str) -> set[str]:
    """The keys of the blocks a text holds."""
    return {m.group(1) for m in MARKER.finditer(text) if m.group(2) == "start"}


def scripts() -> dict[str, tuple[str, ast.Module]]:
    """Every docs/make_*.py: its text and its syntax tree."""
    found = {}
    for path in sorted(DOCS.glob("make_*.py")):
        text = path.read_text(encoding="utf-8")
        found[path.name] = (text, ast.parse(text))
    return found


def prefix_of(tree: ast.Module) -> str | None:
    """The value of a module-level ``PREFIX = "..."``, if the script has one."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "PREFIX" for t in node.targets):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                return node.value.value
    return None


def strings_in(tree: ast.Module) -> set[str]:
    """Every string constant of a script."""
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def knows(doc: str, key: str, text: str, tree: ast.Module) -> bool:
    """Whether a script fills the block ``key`` of the document named ``doc``."""
    if doc not in text:
        return False
    if f"<!-- {key}:start" in text:
        return True
    prefix, _, name = key.partition(":")
    return bool(name) and prefix_of(tree) == prefix and name in strings_in(tree)


def test_marker_checker_finds_broken_pairs():
    good = "a\n<!-- x:start -->\nt\n<!-- x:end -->\n<!-- p:n:start -->\n<!-- p:n:end -->\n"
    assert marker_problems(good) == []
    assert marker_keys(good) == {"x", "p:n"}
    assert marker_problems("<!-- x:start -->\n") == ["x:start never ends"]
    assert marker_problems("<!-- x:end -->") == ["x:end without its start"]
    assert marker_problems("<!-- x:start --><!-- y:start --><!-- y:end --><!-- x:end -->")
    assert marker_problems("<!-- x:start --><!-- x:end --><!-- x:start --><!-- x:end -->") == ["x appears twice"]


def test_every_marker_pair_in_the_docs_is_well_formed():
    problems = {p.name: marker_problems(p.read_text(encoding="utf-8")) for p in sorted(DOCS.glob("*.md"))}
    assert {name: found for name, found in problems.items() if found} == {}


def test_every_block_is_filled_by_a_script():
    makers = scripts()
    unknown = []
    for path in sorted(DOCS.glob("*.md")):
        for key in sorted(marker_keys(path.read_text(encoding="utf-8"))):
            if not any(knows(path.name, key, text, tree) for text, tree in makers.values()):
                unknown.append(f"{path.name}: {key}")
    assert unknown == []


def test_the_blocks_the_number_scripts_fill_all_have_markers():
    makers = scripts()
    expected = {
        "make_scenario_numbers.py": ("scenarios.md", ("SPECS", "EXTRA")),
        "make_diversify_plots.py": ("diversify.md", ("BLOCKS",)),
    }
    missing = []
    for script, (doc, names) in expected.items():
        _, tree = makers[script]
        keys = marker_keys((DOCS / doc).read_text(encoding="utf-8"))
        declared = []
        for node in tree.body:
            targets = [getattr(t, "id", "") for t in getattr(node, "targets", [getattr(node, "target", None)])]
            if any(t in names for t in targets) and node.value is not None:
                value = node.value
                items = value.keys if isinstance(value, ast.Dict) else getattr(value, "elts", [])
                declared += [i.value for i in items if isinstance(i, ast.Constant)]
        assert declared, f"{script} declares no blocks in {names}"
        missing += [f"{doc}: {prefix_of(tree)}:{name}" for name in declared if f"{prefix_of(tree)}:{name}" not in keys]
    assert missing == []
