"""edgeward.algebra."""
