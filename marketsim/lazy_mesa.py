"""Mesa without its optional parts until they are asked for.

The model needs ``mesa.Model`` and ``mesa.Agent``. Mesa 3.5's ``__init__`` (and that of
``mesa.experimental``) imports every space, the batch runner and the data collector, which bring
scipy and networkx: about 0.4 s of CPU (under load; 40 % of what ``import mesa`` costs) that
``marketsim run`` and every sweep worker would pay for nothing.

:func:`install` registers ``mesa`` and ``mesa.experimental`` as packages whose ``__init__`` runs
only when a name it defines is first read: ``import mesa.model`` then loads just the model and
what it imports, ``mesa.Model`` and ``mesa.Agent`` load their own modules, and any other name
(``mesa.batch_run``, ``mesa.discrete_space``, ``mesa.__version__`` ...) runs the real
``__init__`` first, so everything Mesa offers is still there. Nothing changes when Mesa was
imported before marketsim.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from importlib.machinery import ModuleSpec
from types import ModuleType

CORE = {"Model": "mesa.model", "Agent": "mesa.agent"}
"""Names of ``mesa`` read without running its ``__init__``, and the module defining each."""


def install() -> None:
    """Register ``mesa`` and ``mesa.experimental`` with their ``__init__`` deferred (see the
    module's text); do nothing if Mesa is already imported or not installed."""
    if "mesa" in sys.modules:
        return
    spec = importlib.util.find_spec("mesa")
    if spec is None or spec.loader is None:
        return
    package = _deferred(spec, CORE)
    experimental = importlib.util.find_spec("mesa.experimental")  # found on the deferred package's path
    if experimental is not None and experimental.loader is not None:
        package.experimental = _deferred(experimental, {})


def _deferred(spec: ModuleSpec, core: dict[str, str]) -> ModuleType:
    """A package registered in ``sys.modules`` whose ``__init__`` runs when a name it defines
    (other than those in ``core``, read from their own modules) is first read."""
    module = importlib.util.module_from_spec(spec)

    def __getattr__(name: str) -> object:
        if name in core:
            value = getattr(_import_core(core[name]), name)
            setattr(module, name, value)
            return value
        del module.__getattr__
        spec.loader.exec_module(module)
        return getattr(module, name)

    module.__getattr__ = __getattr__
    sys.modules[spec.name] = module
    return module


def _import_core(name: str) -> ModuleType:
    """Import Mesa's module ``name`` with a cheap :func:`inspect.stack` while it loads.

    ``mesa.model`` names its logger after its caller, found with ``inspect.stack()``, which reads
    the source of every frame on the stack and, for each frame of the import machinery, looks
    through every loaded module: some 50-80 ms of CPU deep inside a command's imports. While Mesa's
    module loads, :func:`inspect.stack` gives the same frames without their source lines (as
    ``inspect.stack(0)`` does, file names as the frames hold them); it is restored right after.
    """
    if name in sys.modules:
        return sys.modules[name]
    full_stack = inspect.stack
    inspect.stack = _frames
    try:
        __import__(name)
    finally:
        inspect.stack = full_stack
    return sys.modules[name]


def _frames(context: int = 1) -> list[inspect.FrameInfo]:
    """The caller's frame and those of its callers, outermost last, without source lines."""
    frame, frames = sys._getframe(1), []
    while frame is not None:
        frames.append(
            inspect.FrameInfo(frame, frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name, None, None)
        )
        frame = frame.f_back
    return frames
