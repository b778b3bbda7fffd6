"""edgeward.semantics."""
