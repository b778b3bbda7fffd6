"""edgeward.sources."""
