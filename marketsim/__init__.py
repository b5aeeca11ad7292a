"""marketsim: an agent-based model of the rare-earth supply chain."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("marketsim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+local"

__all__ = ["__version__"]
