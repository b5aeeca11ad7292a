"""What a sweep's manifest records so that any figure made from it can be reproduced: the code
(git commit in a checkout, else a hash of the package source), every installed distribution's
version, Python and the platform."""

from __future__ import annotations

import hashlib
import platform
import subprocess
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

import marketsim

PACKAGE = Path(marketsim.__file__).resolve().parent


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=PACKAGE, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def source_hash() -> str:
    """SHA-256 over the package's Python source files, in path order."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def code_version() -> dict[str, str | bool]:
    """The code that runs: ``{"kind": "git", "commit": ..., "dirty": ...}`` in a git checkout,
    else ``{"kind": "source", "sha256": ...}``; both carry ``"id"``, the string resumes compare.

    A checkout with uncommitted changes to the package adds the source hash to the id, since the
    commit alone no longer names the code.
    """
    commit = _git("rev-parse", "HEAD")
    if commit and _git("ls-files", "--error-unmatch", str(PACKAGE / "__init__.py")) is not None:
        dirty = bool(_git("status", "--porcelain", "--", str(PACKAGE)))
        version: dict[str, str | bool] = {"kind": "git", "commit": commit, "dirty": dirty}
        version["id"] = f"git:{commit}" + (f"+{source_hash()[:16]}" if dirty else "")
        return version
    sha = source_hash()
    return {"kind": "source", "sha256": sha, "id": f"source:{sha}"}


def dependency_versions() -> dict[str, str]:
    """Every installed distribution and its version, by name."""
    versions = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            versions[name] = dist.version
    return dict(sorted(versions.items(), key=lambda item: item[0].lower()))


def environment() -> dict:
    """Python, platform, code version and dependencies, for a manifest."""
    return {
        "marketsim_version": marketsim.__version__,
        "code_version": code_version(),
        "python_version": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "dependencies": dependency_versions(),
    }
