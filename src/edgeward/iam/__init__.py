"""edgeward.iam."""
