"""edgeward.model."""
