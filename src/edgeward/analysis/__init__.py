"""edgeward.analysis."""
