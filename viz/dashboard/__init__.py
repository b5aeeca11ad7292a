"""The workshop dashboard (``marketsim app``)."""
