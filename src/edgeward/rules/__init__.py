"""edgeward.rules."""
