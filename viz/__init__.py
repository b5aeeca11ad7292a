"""The marketsim dashboard: a Solara app (``marketsim app``)."""
