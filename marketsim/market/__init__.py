"""Markets: clearing over routes, price formation and what goods are worth."""
