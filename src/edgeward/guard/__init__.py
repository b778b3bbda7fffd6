"""edgeward.guard."""
