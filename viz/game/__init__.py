"""The classroom game's pages (``marketsim game``)."""
