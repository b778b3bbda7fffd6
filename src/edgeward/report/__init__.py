"""edgeward.report."""
